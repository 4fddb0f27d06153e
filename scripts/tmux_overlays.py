"""tmux walkthrough: every overlay opened over every other, on the real binary.

Usage: QUARRY_BIN=target/debug/quarry python3 scripts/tmux_overlays.py
Needs tmux. Runs the TUI at 160x45 on a demo lake generated under /tmp/quarry-walk, sends keys,
reads the pane and prints which overlay is on screen after each key (exactly one, or none).
"""
import os
import subprocess
import sys
import time

BIN = os.environ.get("QUARRY_BIN", "target/debug/quarry")
WORK = "/tmp/quarry-walk"
S = "walk"
MARKS = {
    "help": "Keys · ↑↓ scroll",
    "ledger": "Cost ledger ·",
    "history": "History · type",
    "saved": "Saved queries · type",
    "inspector": "any other key closes",
    "confirmation": "Run this query? · cost guard",
    "comparison": "Compare engines · any key",
}
def tmux(*a): return subprocess.run(["tmux", *a], capture_output=True, text=True).stdout
def screen(): return tmux("capture-pane", "-p", "-t", S)
def seen():
    s = screen()
    return [k for k, m in MARKS.items() if m in s]
def wait(pred, what, t=30):
    end = time.time() + t
    while time.time() < end:
        s = screen()
        if pred(s): return s
        time.sleep(0.1)
    print("TIMEOUT waiting for", what); print(screen()); sys.exit(1)
def keys(*k): tmux("send-keys", "-t", S, *k)
def start(config="/dev/null", w=160, h=45):
    tmux("kill-session", "-t", S)
    env = f"XDG_DATA_HOME={WORK}/data QUARRY_CONFIG={config} EDITOR=false"
    tmux("new-session", "-d", "-s", S, "-x", str(w), "-y", str(h), f"{env} {BIN}; echo exit=$?; sleep 30")
    wait(lambda s: "Editor" in s and "Catalog" in s, "first frame")
OPEN = {"help": ["F1"], "ledger": ["F7"], "history": ["C-r"], "saved": ["C-o"]}
def settle_on(name):
    return wait(lambda s: MARKS[name] in s and sum(m in s for m in MARKS.values()) == 1, name, 10)

def main():
    out = []
    log = lambda *a: (print(*a), out.append(" ".join(map(str, a))))
    start()
    # A run first, so the ledger has a row and the results have a cell to inspect.
    keys("F5"); wait(lambda s: "row 1 of" in s, "results")
    # Show-only overlays and pickers: open A, press B's key, see exactly B (or nothing for B == A's toggle).
    names = ["help", "ledger", "history", "saved"]
    for a in names + ["inspector", "comparison"]:
        for b in names:
            if a == "inspector":
                keys("M-3"); keys("Enter")
            elif a == "comparison":
                keys("M-2"); keys("F8")
            else:
                keys(*OPEN[a])
            settle_on(a)
            keys(*OPEN[b])
            time.sleep(0.4)
            now = seen()
            log(f"{a:9} + {OPEN[b][0]:4} -> {now or ['none']}")
            keys("Escape"); time.sleep(0.3)
            if seen():
                keys("Escape"); time.sleep(0.3)
            assert not seen(), screen()
    # F8 (compare) is not an opener: from a show-only overlay it closes it and compares nothing.
    for a in names:
        keys(*OPEN[a]); settle_on(a); keys("F8"); time.sleep(0.4)
        log(f"{a:9} + F8   -> {seen() or ['none']}")
        if seen(): keys("Escape"); time.sleep(0.3)
    # Esc on each closes exactly what is seen.
    for a in names:
        keys(*OPEN[a]); settle_on(a); keys("Escape"); time.sleep(0.3)
        log(f"{a:9} + Esc  -> {seen() or ['none']}")
    # A prompt (Ctrl-F search) keeps every key: openers do not replace it.
    keys("M-2"); keys("C-f"); time.sleep(0.3)
    foot = screen().splitlines()[-2]
    log("prompt status:", foot.strip()[:80])
    for b in names:
        keys(*OPEN[b]); time.sleep(0.3)
        log(f"prompt    + {OPEN[b][0]:4} -> {seen() or ['none']} status: {screen().splitlines()[-2].strip()[:50]}")
    keys("Escape"); time.sleep(0.3)
    log("after Esc status:", screen().splitlines()[-2].strip()[:80])
    with open(f"{WORK}/screen-ledger-over-help.txt", "w") as f:
        keys("F1"); settle_on("help"); keys("F7"); s = settle_on("ledger"); f.write(s)
    keys("Escape"); time.sleep(0.3)
    keys("C-q"); wait(lambda s: "exit=" in s, "exit")
    log("exit line:", [l for l in screen().splitlines() if "exit=" in l])

    # The cost guard's confirmation: a 1-byte limit makes every run ask first.
    open(f"{WORK}/guard.toml", "w").write("[cost_guard]\nmax_bytes = 1\n")
    start(f"{WORK}/guard.toml")
    for b in names:
        keys("M-2"); keys("F5"); wait(lambda s: MARKS["confirmation"] in s, "confirmation")
        keys(*OPEN[b]); time.sleep(0.4)
        log(f"confirm   + {OPEN[b][0]:4} -> {seen() or ['none']}")
        keys("n"); time.sleep(0.3)
        log(f"confirm   + n    -> {seen() or ['none']}")
    # Opening over a confirmation is impossible; the confirmation over an overlay is what F5
    # from an overlay would give, but F5 closes a show-only overlay first.
    keys("F1"); settle_on("help"); keys("F5"); time.sleep(0.4)
    log(f"help      + F5   -> {seen() or ['none']} (F5 closes the help and runs nothing)")
    keys("C-q"); wait(lambda s: "exit=" in s, "exit")
    open(f"{WORK}/matrix.txt", "w").write("\n".join(out) + "\n")

if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    main()
