"""The QuantDesk program's accounts on the test cluster, laid out as a deployment with
the BPF upgradeable loader leaves them: the program account (executable, pointing at its
program data) and the program data account (header, then the executable).

The executable is a placeholder: the program runs natively (``native_execution``), never
in LiteSVM. LiteSVM still verifies every executable account it is given, so the
placeholder is the smallest valid sBPF program, one that fails if it is ever run.
"""

from __future__ import annotations

import struct

from solders.account import Account
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

UPGRADEABLE_LOADER = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
PROGRAM_STATE = 2
"""``UpgradeableLoaderState::Program { programdata_address }``."""
PROGRAM_DATA_STATE = 3
"""``UpgradeableLoaderState::ProgramData { slot, upgrade_authority_address }``."""
PROGRAM_DATA_HEADER = 45
"""Bytes before the executable in a program data account."""
NEVER_RENT_COLLECTED = 2**64 - 1

_EM_BPF = 247
_ET_DYN = 3
_SHT_PROGBITS, _SHT_STRTAB = 1, 3
_SHF_ALLOC_EXECINSTR = 0x6


def placeholder_executable() -> bytes:
    """An sBPF ELF whose code is ``mov64 r0, 1; exit``: it fails with custom error 0."""
    text = bytes([0xB7, 0, 0, 0, 1, 0, 0, 0]) + bytes([0x95, 0, 0, 0, 0, 0, 0, 0])
    names = b"\0.text\0.shstrtab\0"
    text_at = 64
    names_at = text_at + len(text)
    headers_at = (names_at + len(names) + 7) // 8 * 8
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little-endian, version 1
    elf = ident + struct.pack(
        "<HHIQQQIHHHHHH", _ET_DYN, _EM_BPF, 1, text_at, 0, headers_at, 0, 64, 56, 0, 64, 3, 2
    )
    elf += text + names
    elf += bytes(headers_at - len(elf))

    def section(name: int, kind: int, flags: int, at: int, size: int, align: int) -> bytes:
        address = at if flags else 0  # loaded sections sit at their file offset
        return struct.pack("<IIQQQQIIQQ", name, kind, flags, address, at, size, 0, 0, align, 0)

    elf += section(0, 0, 0, 0, 0, 0)
    elf += section(1, _SHT_PROGBITS, _SHF_ALLOC_EXECINSTR, text_at, len(text), 8)
    elf += section(7, _SHT_STRTAB, 0, names_at, len(names), 1)
    return elf


def program_data_address(program_id: Pubkey) -> Pubkey:
    """Where the upgradeable loader keeps the program's data."""
    return Pubkey.find_program_address([bytes(program_id)], UPGRADEABLE_LOADER)[0]


def deploy_placeholder(svm: LiteSVM, program_id: Pubkey, slot: int = 0) -> None:
    """Give ``svm`` the program's accounts, deployed at ``slot`` with no upgrade authority."""
    program_data = program_data_address(program_id)
    header = struct.pack("<IQ", PROGRAM_DATA_STATE, slot) + bytes(PROGRAM_DATA_HEADER - 12)
    data = header + placeholder_executable()
    svm.set_account(
        program_data,
        Account(
            svm.minimum_balance_for_rent_exemption(len(data)),
            data,
            UPGRADEABLE_LOADER,
            False,
            NEVER_RENT_COLLECTED,
        ),
    )
    program = struct.pack("<I", PROGRAM_STATE) + bytes(program_data)
    svm.set_account(
        program_id,
        Account(
            svm.minimum_balance_for_rent_exemption(len(program)),
            program,
            UPGRADEABLE_LOADER,
            True,
            NEVER_RENT_COLLECTED,
        ),
    )
