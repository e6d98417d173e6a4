"""Build of the _fastsock extension; the project metadata is in pyproject.toml.

Environment knobs, for development builds only:
  FASTSOCK_SANITIZE=1   build with AddressSanitizer and UBSan (see README)
  FASTSOCK_DEBUG=1      -O0 -g, assertions kept
"""
import glob
import os

from setuptools import Extension, setup

extra_compile = ["-Wall", "-Wextra",
                 "-std=gnu11", "-fvisibility=hidden"]
extra_link = []
macros = []

if os.environ.get("FASTSOCK_DEBUG") or os.environ.get("FASTSOCK_SANITIZE"):
    extra_compile += ["-O0", "-g3", "-UNDEBUG"]
else:
    extra_compile += ["-O2"]
if os.environ.get("FASTSOCK_SANITIZE"):
    flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
             "-fno-sanitize-recover=undefined"]
    extra_compile += flags
    extra_link += flags

setup(
    # The packages are declared here rather than in pyproject.toml, whose
    # validator (setuptools < 69) refuses the PEP 561 name _fastsock-stubs.
    package_dir={"": "pysrc"},
    packages=["fastsock", "fastsock._py2fixes", "_fastsock-stubs"],
    package_data={"fastsock": ["py.typed", "*.pyi"],
                  "_fastsock-stubs": ["*.pyi"]},
    ext_modules=[
        Extension(
            "_fastsock",
            sources=sorted(glob.glob("csrc/*.c")),
            depends=sorted(glob.glob("csrc/*.h")),
            include_dirs=["csrc"],
            define_macros=macros,
            extra_compile_args=extra_compile,
            extra_link_args=extra_link,
        )
    ],
)
