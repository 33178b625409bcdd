#!/usr/bin/env python3
"""Checks the hand-written interop stubs against the assembly they implement.

usage: check_stubs.py SkipRnn.Edge.Native.pe SkipRnn_Edge_Native.cpp

Reads the .pe nanoFramework's metadata processor wrote (nf-interpreter's CLR_RECORD_ASSEMBLY header and
MethodDef table, nanoCLR 1.x layout) and the method table in the .cpp: the table must have one entry per MethodDef,
in order, a stub exactly where the method has no IL (RVA = 0xFFFF: the InternalCall methods), and the checksum
must equal the header's nativeMethodsChecksum, or nanoCLR refuses the assembly (CLR_E_ASSM_WRONG_CHECKSUM).
Prints one line ending in ': ok' or ': FAIL'.
"""
import re
import struct
import sys

TBL_METHODDEF, TBL_ATTRIBUTES, TBL_STRINGS = 6, 7, 11


def pe_methods(path):
    d = open(path, 'rb').read()
    if d[:6] != b'NFMRK1':
        raise ValueError(f'{path}: not a nanoFramework .pe (marker)')
    checksum = struct.unpack_from('<I', d, 20)[0]
    starts = struct.unpack_from('<16I', d, 40)
    padding = d[108:124]
    begin, end = starts[TBL_METHODDEF], starts[TBL_ATTRIBUTES] - padding[TBL_METHODDEF]
    if (end - begin) % 16:
        raise ValueError(f'{path}: MethodDef table is not a whole number of 16-byte records')
    methods = []
    for off in range(begin, end, 16):
        name, rva = struct.unpack_from('<HH', d, off)
        text = None
        if name < 0x8000:   # this assembly's string table (else one of nanoCLR's well-known strings)
            s = starts[TBL_STRINGS] + name
            text = d[s:d.index(b'\0', s)].decode()
        methods.append((text, rva == 0xFFFF))
    return checksum, methods


def stub_table(path):
    src = open(path).read()
    body = re.search(r'method_lookup\[\]\s*=\s*\{(.*?)\};', src, re.S).group(1)
    entries = [re.sub(r'//.*', '', line).strip().rstrip(',') for line in body.splitlines()]
    entries = [e for e in entries if e]
    checksum = int(re.search(r'"SkipRnn\.Edge\.Native",\s*(0x[0-9A-Fa-f]+)', src).group(1), 16)
    return checksum, entries


def main():
    pe, cpp = sys.argv[1], sys.argv[2]
    problems = []
    try:
        pe_sum, methods = pe_methods(pe)
        cpp_sum, entries = stub_table(cpp)
    except (OSError, ValueError, AttributeError) as e:
        print(f'interop stubs match the .pe: FAIL: {e}')
        return 1
    if pe_sum != cpp_sum:
        problems.append(f'checksum {cpp_sum:#010x} in the stubs, {pe_sum:#010x} in the .pe')
    if len(entries) != len(methods):
        problems.append(f'{len(entries)} table entries for {len(methods)} methods')
    natives = 0
    for i, ((name, native), entry) in enumerate(zip(methods, entries)):
        if native:
            natives += 1
            stub = entry.split('::')[-1]
            if entry == 'nullptr' or (name is not None and not stub.startswith(name + '___')):
                problems.append(f'method {i} ({name or "well-known name"}) is native, table has {entry}')
        elif entry != 'nullptr':
            problems.append(f'method {i} ({name}) has IL, table has {entry}')
    if natives == 0:
        problems.append('the .pe declares no native method')
    if problems:
        print('interop stubs match the .pe: FAIL: ' + '; '.join(problems))
        return 1
    print(f'interop stubs match the .pe ({len(methods)} methods, {natives} native, checksum {pe_sum:#010x}): ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
