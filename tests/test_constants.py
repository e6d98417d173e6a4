"""Every name of the stdlib socket module is in fastsock, with its value.

The walk is over the stdlib's own names on this platform, so a constant
the stdlib gains on a newer Python shows up here without editing the test.
"""
import enum
import socket as stdsocket

import pytest

import fastsock

# Names of the stdlib module that are no part of its API contract: CAPI is
# the C capsule of _socket (meaningful only to C code linking against it).
NOT_OURS = {"CAPI"}

UPPER = sorted(n for n in dir(stdsocket)
               if n.isupper() and n not in NOT_OURS
               and isinstance(getattr(stdsocket, n), (int, str)))


def test_upper_names_walk_is_not_empty():
    # A guard: if the stdlib walk found nothing, every other test is vacuous.
    assert len(UPPER) > 200
    assert "AF_INET" in UPPER and "SOMAXCONN" in UPPER


@pytest.mark.parametrize("name", UPPER)
def test_constant_present_with_same_value(name):
    assert hasattr(fastsock, name), "fastsock lacks %s" % name
    assert getattr(fastsock, name) == getattr(stdsocket, name)


def test_no_stdlib_constant_missing():
    # One summary assertion, so a failure lists every missing name at once.
    missing = [n for n in UPPER if not hasattr(fastsock, n)]
    assert missing == []


def test_constants_are_ints_with_same_type_kind():
    for name in UPPER:
        ours, theirs = getattr(fastsock, name), getattr(stdsocket, name)
        assert isinstance(ours, type(theirs).__mro__[-2]) or \
            isinstance(ours, type(theirs)), name


ENUMS = ["AddressFamily", "SocketKind", "MsgFlag", "AddressInfo"]


@pytest.mark.parametrize("enum_name", ENUMS)
def test_enum_members_and_values(enum_name):
    theirs = getattr(stdsocket, enum_name)
    ours = getattr(fastsock, enum_name)
    assert {m.name: m.value for m in ours} == \
        {m.name: m.value for m in theirs}
    # Same kind of enum: IntEnum for families/kinds, IntFlag for flags.
    for base in (enum.IntEnum, enum.IntFlag):
        assert issubclass(ours, base) == issubclass(theirs, base)


@pytest.mark.parametrize("enum_name", ENUMS)
def test_module_constants_are_enum_members(enum_name):
    # stdlib: socket.AF_INET is AddressFamily.AF_INET (same for the others).
    theirs = getattr(stdsocket, enum_name)
    ours = getattr(fastsock, enum_name)
    for member in theirs:
        value = getattr(fastsock, member.name)
        assert type(value) is ours, member.name
        assert repr(value) == repr(getattr(stdsocket, member.name)).replace(
            "socket.", "fastsock.")


def test_exceptions():
    assert fastsock.error is OSError
    # TimeoutError from 3.10 on; before, a class of its own (shared).
    assert fastsock.timeout is stdsocket.timeout
    assert issubclass(fastsock.herror, OSError)
    assert issubclass(fastsock.gaierror, OSError)
    # One class for both modules: code catching either one catches ours.
    assert fastsock.herror is stdsocket.herror
    assert fastsock.gaierror is stdsocket.gaierror


def test_misc_names():
    assert fastsock.has_ipv6 == stdsocket.has_ipv6
    assert fastsock.SocketType is fastsock.socket.__mro__[1]
    assert issubclass(fastsock.socket, fastsock.SocketType)
    assert fastsock._GLOBAL_DEFAULT_TIMEOUT is stdsocket._GLOBAL_DEFAULT_TIMEOUT


def test_public_functions_present():
    # Every callable of the stdlib's public API has a fastsock counterpart.
    names = [n for n in stdsocket.__all__
             if n not in NOT_OURS and callable(getattr(stdsocket, n))
             and not n.isupper()]
    missing = [n for n in names if not callable(getattr(fastsock, n, None))]
    assert missing == []


def test_all_covers_stdlib_all():
    missing = sorted(set(stdsocket.__all__) - set(fastsock.__all__)
                     - NOT_OURS)
    assert missing == []


def test_c_constant_table_has_every_stdlib_constant():
    # Every integer constant comes from the C table (csrc/constants.c, made
    # by tools/gen_constants.py from the names of CPython 3.9-3.13).
    import _fastsock
    # (Bluetooth's come from the stdlib's _socket: see the test below.)
    gaps = [n for n in UPPER if not hasattr(_fastsock, n)
            and n not in ("_LOCALHOST", "_LOCALHOST_V6", "EBADF", "EAGAIN",
                          "EWOULDBLOCK")
            and not fastsock._BLUETOOTH_NAME.fullmatch(n)]
    assert gaps == [], "missing from csrc/constants.c: " + " ".join(gaps)


def test_bluetooth_constants_follow_the_stdlib():
    # A CPython built with <bluetooth/bluetooth.h> (Debian's python3) has
    # the Bluetooth constants in _socket; a fastsock built without that
    # header takes them from there, so both modules offer the same names.
    # Checked here on a stand-in _socket, whatever this interpreter has.
    import types
    fake = types.SimpleNamespace(AF_BLUETOOTH=31, BTPROTO_RFCOMM=3,
                                 SOL_HCI=0, HCI_FILTER=2,
                                 BDADDR_ANY="00:00:00:00:00:00",
                                 AF_INET=2, SOMAXCONN=4096, bdaddr="x")
    got = fastsock._bluetooth_constants(fake, {"AF_INET": 2, "SOL_HCI": 0})
    assert got == {"AF_BLUETOOTH": 31, "BTPROTO_RFCOMM": 3, "HCI_FILTER": 2,
                   "BDADDR_ANY": "00:00:00:00:00:00"}
    assert fastsock._bluetooth_constants(types.SimpleNamespace(
        BTPROTO_RFCOMM=3), {}) == {}
    # And on this interpreter: the same Bluetooth names as the stdlib.
    names = lambda m: {n for n in dir(m)
                       if fastsock._BLUETOOTH_NAME.fullmatch(n)}
    assert names(fastsock) == names(stdsocket)
    assert {n: getattr(fastsock, n) for n in names(fastsock)} == \
        {n: getattr(stdsocket, n) for n in names(stdsocket)}
