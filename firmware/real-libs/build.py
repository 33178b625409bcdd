#!/usr/bin/env python3
"""Builds the nanoFramework libraries the firmware pins from their sources, then both apps against them, and runs
the apps' start-up on the Linux nanoCLR. Run it where the library repositories are fetched (CI has no network, so CI
cannot); it reads them from a mirror folder (default /work/.mirror, one bare repository per library at
<owner>+<name>/repo, as the session's `fetch` tool leaves them) and writes nothing into the repository but
firmware/real-libs/RESULTS.md and firmware/real-libs/nuspec-deps.json (the record CI checks packages.config against).
Build output goes to --out (default: a temporary folder), never into the repository.

    python3 firmware/real-libs/build.py [--mirror DIR] [--out DIR] [--nanoclr DIR]

Per library: the sources at the tag packages.config pins (or, where the mirror lacks that tag, the newest commit it
has: RESULTS.md says so), exactly the files its .nfproj compiles, through nanoCLR's compile-pe (C# against
CoreLibrary 1.17.11's mscorlib, then the metadata processor) into .dll + .pe. Then SkipRnn.Edge (the files
firmware/SkipRnn.Edge/SkipRnn.Edge.nfproj links), firmware/motion and firmware/keyword (their .nfproj files) against
those .dll files (the runtime is the device libraries SkipRnn.Edge, .Audio, .Loops, .Loops.Keyword, each from its
.nfproj), nanoclr with every .pe each app needs, and the device tests (tests/DeviceTests) with
nanoFramework.TestFramework and its UnitTestLauncher built from source.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
HERE = os.path.join(ROOT, 'firmware', 'real-libs')

# package id -> (repository, folder of the library project, assembly name)
LIBRARIES = {
    'nanoFramework.System.Text': ('nanoframework/nanoFramework.System.Text', 'nanoFramework.System.Text', 'nanoFramework.System.Text'),
    'nanoFramework.Runtime.Events': ('nanoframework/nanoFramework.Runtime.Events', 'nanoFramework.Runtime.Events', 'nanoFramework.Runtime.Events'),
    'nanoFramework.System.IO.Streams': ('nanoframework/System.IO.Streams', 'System.IO.Streams', 'System.IO.Streams'),
    'nanoFramework.Hardware.Esp32': ('nanoframework/nanoFramework.Hardware.Esp32', 'nanoFramework.Hardware.Esp32', 'nanoFramework.Hardware.Esp32'),
    'nanoFramework.System.Device.Gpio': ('nanoframework/System.Device.Gpio', 'System.Device.Gpio', 'System.Device.Gpio'),
    'nanoFramework.System.Device.I2c': ('nanoframework/System.Device.I2c', 'System.Device.I2c', 'System.Device.I2c'),
    'nanoFramework.System.Device.I2s': ('nanoframework/System.Device.I2s', 'System.Device.I2s', 'System.Device.I2s'),
    'nanoFramework.System.IO.Ports': ('nanoframework/System.IO.Ports', 'System.IO.Ports', 'System.IO.Ports'),
    'nanoFramework.TestFramework': ('nanoframework/nanoFramework.TestFramework', 'source/TestFramework', 'nanoFramework.TestFramework'),
}
APPS = {
    'motion': ('firmware/motion/SkipRnn.Motion.nfproj', 'firmware/motion/packages.config', 'SkipRnn.Motion', 'SkipRnn.Motion.Program::Main'),
    'keyword': ('firmware/keyword/SkipRnn.Keyword.nfproj', 'firmware/keyword/packages.config', 'SkipRnn.Keyword', 'SkipRnn.Keyword.Program::Main'),
}
MSB = '{http://schemas.microsoft.com/developer/msbuild/2003}'
# The device libraries under firmware/, in dependency order (issue 20's split of the runtime).
DEVICE_LIBRARIES = ['SkipRnn.Edge', 'SkipRnn.Edge.Audio', 'SkipRnn.Edge.Loops', 'SkipRnn.Edge.Loops.Keyword']


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def git(repo, *args):
    r = run(['git', '-C', repo, *args])
    if r.returncode != 0:
        raise RuntimeError(f'git {" ".join(args)} in {repo}: {r.stderr.strip()}')
    return r.stdout


def packages(path):
    """packages.config -> {id: version}."""
    return {p.get('id'): p.get('version') for p in ET.parse(os.path.join(ROOT, path)).getroot().iter('package')}


def compile_items(nfproj_text):
    root = ET.fromstring(nfproj_text)
    return [c.get('Include').replace('\\', '/') for c in root.iter(MSB + 'Compile')]


def project_refs(proj):
    """The device libraries an .nfproj references (ProjectReference file names without .nfproj)."""
    root = ET.parse(proj).getroot()
    return [os.path.basename(r.get('Include').replace('\\', '/'))[:-len('.nfproj')] for r in root.iter(MSB + 'ProjectReference')]


def revision(repo, version):
    """The tag v<version> if the mirror has it, else the newest commit (stated in the results)."""
    tag = 'v' + version
    if run(['git', '-C', repo, 'rev-parse', '-q', '--verify', tag + '^{commit}']).returncode == 0:
        return tag, git(repo, 'rev-parse', tag + '^{commit}').strip(), True
    head = git(repo, 'rev-parse', 'HEAD').strip()
    return 'HEAD', head, False


def nuspec_deps(repo, rev):
    names = [n for n in git(repo, 'ls-tree', '-r', '--name-only', rev).splitlines() if n.endswith('.nuspec') and '/' not in n]
    if not names:
        return None
    text = git(repo, 'show', f'{rev}:{names[0]}')
    text = re.sub(r'<package[^>]*>', '<package>', text, count=1)       # drop the nuspec namespace
    root = ET.fromstring(text)
    return {d.get('id'): d.get('version') for d in root.iter('dependency')}


def extract(repo, rev, folder, dest):
    os.makedirs(dest, exist_ok=True)
    archive = subprocess.run(['git', '-C', repo, 'archive', rev, folder], capture_output=True, check=True).stdout
    subprocess.run(['tar', '-x', '-C', dest], input=archive, check=True)
    return os.path.join(dest, folder)


def compile_pe(nanoclr, out_pe, sources, refs, entry=None, keyfile=None, extra=()):
    cmd = [os.path.join(nanoclr, 'compile-pe'), out_pe, *extra]
    if keyfile:
        cmd.append('-keyfile:' + keyfile)     # strong name: mscorlib grants friend access to nanoFramework.System.Text by key
    if entry:
        cmd += ['-entrypoint', entry]
    cmd += ['-r:' + r for r in refs] + ['-unsafe+', '-nowarn:0618,0612,1591,0108,0114,3021'] + sources
    r = run(cmd)
    return r.returncode == 0 and os.path.exists(out_pe), (r.stdout + r.stderr).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--mirror', default='/work/.mirror')
    ap.add_argument('--out', default=None)
    ap.add_argument('--nanoclr', default=os.path.join(ROOT, '..', 'shared', 'tools', 'nanoclr'))
    ap.add_argument('--no-record', action='store_true', help='do not rewrite RESULTS.md / nuspec-deps.json')
    a = ap.parse_args()
    nanoclr = os.path.abspath(a.nanoclr)
    if not os.path.exists(os.path.join(nanoclr, 'compile-pe')):
        sys.exit(f'no nanoCLR tools at {nanoclr} (--nanoclr)')
    out = a.out or tempfile.mkdtemp(prefix='skiprnn-real-libs-')
    os.makedirs(out, exist_ok=True)
    corelib = run([os.path.join(nanoclr, 'corelib')]).stdout.strip()

    pinned = {}
    for app, (_, cfg, _, _) in APPS.items():
        for pid, ver in packages(cfg).items():
            if pid in pinned and pinned[pid] != ver:
                sys.exit(f'{cfg}: {pid} {ver}, the other app pins {pinned[pid]}')
            pinned[pid] = ver
    # The test framework is not an app dependency: built at the newest tag the mirror has.
    wanted = dict(pinned)

    rows, deps, built = [], {}, {}
    order = ['nanoFramework.System.Text', 'nanoFramework.Runtime.Events', 'nanoFramework.System.IO.Streams',
             'nanoFramework.Hardware.Esp32', 'nanoFramework.System.Device.Gpio', 'nanoFramework.System.Device.I2c',
             'nanoFramework.System.Device.I2s', 'nanoFramework.System.IO.Ports']
    for pid in order:
        repo_name, folder, asm = LIBRARIES[pid]
        repo = os.path.join(a.mirror, repo_name.replace('/', '+'), 'repo')
        ver = wanted.get(pid)
        row = {'package': pid, 'pinned': ver, 'repository': repo_name}
        rows.append(row)
        if ver is None:
            row['result'] = 'not pinned by packages.config (dependency missing)'
            ver = '0'
        if not os.path.isdir(repo):
            row['result'] = f'no mirror at {repo}: fetch github:{repo_name}'
            continue
        rev, commit, exact = revision(repo, ver)
        row.update(revision=rev, commit=commit, exact=exact)
        deps[pid] = {'version': ver, 'tag_found': exact, 'commit': commit, 'dependencies': nuspec_deps(repo, rev)}
        src = extract(repo, commit, folder, os.path.join(out, 'src', asm))
        nfproj = [f for f in os.listdir(src) if f.endswith('.nfproj')][0]
        files = [os.path.join(src, f) for f in compile_items(open(os.path.join(src, nfproj), encoding='utf-8-sig').read())]
        missing = [f for f in files if not os.path.exists(f)]
        if missing:
            row['result'] = 'sources missing: ' + ', '.join(os.path.basename(m) for m in missing)
            continue
        # Nerdbank.GitVersioning stamps the version at build time (precision "build": major.minor.height.0).
        stamp = os.path.join(out, 'src', asm + '.version.cs')
        with open(stamp, 'w') as f:
            f.write(f'[assembly: System.Reflection.AssemblyVersion("{ver}.0")]\n')
        files.append(stamp)
        refs = list(built.values())     # the libraries built before it (their nuspecs name only direct dependencies)
        key = os.path.join(src, 'key.snk')
        ok, log = compile_pe(nanoclr, os.path.join(out, asm + '.pe'), files, refs, keyfile=key if os.path.exists(key) else None)
        row['result'] = 'built' if ok else 'FAILED: ' + log[-800:]
        row['files'] = len(files)
        if ok:
            built[pid] = os.path.join(out, asm + '.dll')
            row['dll_sha256'] = hashlib.sha256(open(built[pid], 'rb').read()).hexdigest()[:16]

    # The device libraries, each as its nfproj links it, in dependency order.
    devlibs, apps = {}, []
    for name in DEVICE_LIBRARIES:
        proj = os.path.join(ROOT, 'firmware', name, name + '.nfproj')
        files = [os.path.normpath(os.path.join(os.path.dirname(proj), f)) for f in compile_items(open(proj).read())]
        refs = [devlibs[r] for r in project_refs(proj)]
        ok, log = compile_pe(nanoclr, os.path.join(out, name + '.pe'), files, refs)
        apps.append({'app': name, 'build': 'built' if ok else 'FAILED: ' + log[-800:]})
        if ok:
            devlibs[name] = os.path.join(out, name + '.dll')
    for app, (proj, cfg, asm, entry) in APPS.items():
        projdir = os.path.dirname(os.path.join(ROOT, proj))
        files = [os.path.normpath(os.path.join(projdir, f)) for f in compile_items(open(os.path.join(ROOT, proj)).read())]
        need = packages(cfg)
        mine = project_refs(os.path.join(ROOT, proj))
        refs = [built[p] for p in need if p in built] + [devlibs[r] for r in mine if r in devlibs]
        notbuilt = [p for p in need if p != 'nanoFramework.CoreLibrary' and p not in built]
        ok, log = compile_pe(nanoclr, os.path.join(out, asm + '.pe'), files, refs, entry)
        r = {'app': asm, 'build': ('built' if ok else 'FAILED: ' + log[-1500:]) + (f' (not built: {notbuilt})' if notbuilt else '')}
        if ok:
            # A launcher calls the app's Main inside a try: nanoCLR ends silently on an unhandled exception, so this
            # is how far the start-up gets on the posix build (no ESP32 pins, I2C, I2S or UART there).
            launch = os.path.join(out, f'Launch{asm}.cs')
            with open(launch, 'w') as f:
                f.write('using System; using System.Diagnostics;\npublic static class Launch { public static void Main() {\n'
                        f'  try {{ {entry.replace("::", ".")}(); }}\n'
                        '  catch (Exception e) { Debug.WriteLine("start-up stopped: " + e.GetType().FullName + " at " + e.StackTrace); }\n'
                        '  Debug.WriteLine("launcher: end"); } }\n')
            lrefs = refs + [os.path.join(out, asm + '.dll')]
            lok, llog = compile_pe(nanoclr, os.path.join(out, f'Launch{asm}.pe'), [launch], lrefs, 'Launch::Main', extra=['-define:DEBUG'])
            pes = [os.path.join(corelib, 'mscorlib.pe')] + [built[p][:-4] + '.pe' for p in need if p in built] + \
                  [devlibs[r][:-4] + '.pe' for r in mine if r in devlibs] + [os.path.join(out, asm + '.pe'), os.path.join(out, f'Launch{asm}.pe')]
            rr = run([os.path.join(nanoclr, 'nanoclr'), *pes], timeout=120)
            text = (rr.stdout + rr.stderr).replace('\r', '')
            lines = [l for l in text.splitlines() if l.strip() and not l.startswith('   ')]
            after = lines[next((i for i, l in enumerate(lines) if l.startswith('Resolving')), 0):]
            r['nanoclr_exit'] = rr.returncode
            r['nanoclr_output'] = after[:20]
            r['resolved'] = any(l.startswith('Ready.') for l in after) and not any('cannot be resolved' in l for l in after)
        apps.append(r)

    # Device tests: nanoFramework.TestFramework and its UnitTestLauncher from source, tests/DeviceTests as NFUnitTest.
    tests = {'result': 'not run'}
    tf_repo = os.path.join(a.mirror, 'nanoframework+nanoFramework.TestFramework', 'repo')
    if os.path.isdir(tf_repo):
        tags = sorted((t for t in git(tf_repo, 'tag').split() if re.fullmatch(r'v\d+\.\d+\.\d+', t)), key=lambda t: [int(x) for x in t[1:].split('.')])
        tag = tags[-1]
        tests.update(revision=tag, commit=git(tf_repo, 'rev-parse', tag + '^{commit}').strip())
        src = extract(tf_repo, tag, 'source', os.path.join(out, 'src', 'TestFramework'))
        stamp = os.path.join(out, 'src', 'TestFramework.version.cs')
        with open(stamp, 'w') as f:
            f.write(f'[assembly: System.Reflection.AssemblyVersion("{tag[1:]}.0")]\n')
        fw = [os.path.join(src, 'TestFramework', f) for f in compile_items(open(os.path.join(src, 'TestFramework', 'nanoFramework.TestFramework.nfproj'), encoding='utf-8-sig').read())]
        shared = [os.path.join(src, 'TestFrameworkShared', f) for f in os.listdir(os.path.join(src, 'TestFrameworkShared')) if f.endswith('.cs')]
        ok1, log1 = compile_pe(nanoclr, os.path.join(out, 'nanoFramework.TestFramework.pe'), fw + shared + [stamp], [])
        tfdll = os.path.join(out, 'nanoFramework.TestFramework.dll')
        ok2, log2 = compile_pe(nanoclr, os.path.join(out, 'nanoFramework.UnitTestLauncher.pe'), [os.path.join(src, 'UnitTestLauncher', 'Program.cs')], [tfdll],
                               'nanoFramework.TestFramework.UnitTestLauncher::Main')
        devtests = sorted(os.path.join(ROOT, 'tests', 'DeviceTests', f) for f in os.listdir(os.path.join(ROOT, 'tests', 'DeviceTests')) if f.endswith('.cs'))
        ok3, log3 = compile_pe(nanoclr, os.path.join(out, 'NFUnitTest.pe'), devtests, [tfdll] + list(devlibs.values()))
        if ok1 and ok2 and ok3:
            rr = run([os.path.join(nanoclr, 'nanoclr'), os.path.join(corelib, 'mscorlib.pe'), os.path.join(out, 'nanoFramework.TestFramework.pe'),
                      *[d[:-4] + '.pe' for d in devlibs.values()], os.path.join(out, 'NFUnitTest.pe'), os.path.join(out, 'nanoFramework.UnitTestLauncher.pe')], timeout=300)
            lines = (rr.stdout + rr.stderr).replace('\r', '').splitlines()
            tests['passed'] = [l.split(',')[1] for l in lines if l.startswith('Test passed,')]
            tests['failed'] = [l for l in lines if l.startswith('Test failed,')]
            tests['result'] = f"{len(tests['passed'])} passed, {len(tests['failed'])} failed"
        else:
            tests['result'] = 'FAILED to build: ' + (log1 if not ok1 else log2 if not ok2 else log3)[-600:]

    result = {'libraries': rows, 'apps': apps, 'device_tests': tests, 'nanoclr': nanoclr, 'out': out}
    print(json.dumps(result, indent=1))
    if a.no_record:
        return
    with open(os.path.join(HERE, 'nuspec-deps.json'), 'w') as f:
        json.dump({'note': 'written by firmware/real-libs/build.py from each package\'s .nuspec at the revision it built; '
                   'tests/SkipRnn.Board.Tests checks packages.config against it', 'packages': deps}, f, indent=1, sort_keys=True)
        f.write('\n')
    with open(os.path.join(HERE, 'RESULTS.md'), 'w') as f:
        f.write('# Real-library build: the last recorded run\n\nWritten by `firmware/real-libs/build.py` (see firmware/README.md). '
                'Do not edit by hand.\n\n| package | pinned | built from | result |\n|---|---|---|---|\n')
        for r in rows:
            src = f"{r['repository']} {r.get('revision', '?')} ({r.get('commit', '?')[:12]})" + ('' if r.get('exact', True) else ' — the pinned tag is not in the mirror: newest commit')
            f.write(f"| {r['package']} | {r['pinned']} | {src} | {r['result'].splitlines()[0][:200]} |\n")
        f.write('\n| assembly | build | nanoCLR start-up |\n|---|---|---|\n')
        for r in apps:
            tail = ' / '.join(r.get('nanoclr_output', []))[:700] if 'nanoclr_output' in r else ''
            f.write(f"| {r['app']} | {r['build'].splitlines()[0][:300]} | {tail} |\n")
        f.write(f"\nDevice tests (tests/DeviceTests as NFUnitTest) with nanoFramework.TestFramework {tests.get('revision', '?')} "
                f"({tests.get('commit', '?')[:12]}) and its UnitTestLauncher, built from source, on nanoCLR: {tests['result']}\n")
        for t in tests.get('passed', []):
            f.write(f"- passed: {t}\n")
        for t in tests.get('failed', []):
            f.write(f"- {t}\n")


if __name__ == '__main__':
    main()
