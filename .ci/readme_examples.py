"""Runs every `$ command` in the README's ```console blocks against a running node and checks that it
prints exactly what the README shows. Commands needing a missing Python module are reported and skipped."""
import os
import pathlib
import shlex
import subprocess
import sys


def examples(readme):
    blocks, block, inside = [], [], False
    for line in readme.splitlines():
        if line.startswith("```console"):
            inside, block = True, []
        elif line.startswith("```") and inside:
            inside = False
            blocks.append(block)
        elif inside:
            block.append(line)
    for block in blocks:
        i = 0
        while i < len(block):
            if not block[i].startswith("$ "):
                i += 1
                continue
            command = block[i][2:]
            i += 1
            while not complete(command):
                command += "\n" + block[i]
                i += 1
            expected = []
            while i < len(block) and not block[i].startswith("$ "):
                expected.append(block[i])
                i += 1
            yield command, "\n".join(expected).strip()


def complete(command):
    try:
        shlex.split(command)
        return True
    except ValueError:
        return False


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    failures, ran = 0, 0
    # Debian's python3 first: CI installs python3-requests and python3-grpcio for it (PyPI is unreachable)
    env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
    for command, expected in examples((root / "README.md").read_text()):
        result = subprocess.run(["bash", "-c", command], cwd=root, capture_output=True, text=True, timeout=60, env=env)
        if "ModuleNotFoundError" in result.stderr:
            print(f"SKIP (missing Python module): {command.splitlines()[0]}")
            continue
        ran += 1
        actual = result.stdout.strip()
        if actual != expected:
            failures += 1
            print(f"MISMATCH: {command}\n--- README\n{expected}\n--- actual\n{actual}\n{result.stderr}")
        else:
            print(f"ok: {command.splitlines()[0][:100]}")
    print(f"README examples: {ran - failures} of {ran} print what the README shows")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
