#!/usr/bin/python3
"""Open an HTML page in headless Chromium and report what a reader would see.

Usage:
    /usr/bin/python3 analysis/browser.py PAGE.html [--screenshot PAGE.png]
        [--expect-figures fig-a,fig-b,...]

Loads the page from disk in Debian's Chromium (/usr/bin/chromium), driven over
the DevTools protocol (python3-websocket), waits for the load event, and
checks that nothing went wrong: no console errors, no uncaught exceptions, no
failed loads, and every <figure> (or every expected figure id) holds an image
that decoded to a non-empty picture. Optionally saves a full-page PNG.
Exit status: 0 if every check passes, 1 if one fails, 2 if the page or the
browser is missing.
"""
import argparse
import base64
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CHROMIUM = os.environ.get("PBSIM_CHROMIUM", "/usr/bin/chromium")
# As the machine notes advise: no sandbox (root in CI), and no background
# networking, which the closed network would refuse over and over.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
         "--remote-debugging-port=0"]

FIGURES_JS = """JSON.stringify(Array.from(document.querySelectorAll('figure')).map(f => ({
  id: f.id,
  images: Array.from(f.querySelectorAll('img')).map(i => ({
    complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))})))"""


class BrowserError(Exception):
    """Chromium is missing or could not be driven."""


class DevTools:
    """A minimal DevTools protocol client over one browser websocket, with
    flat sessions (Target.attachToTarget flatten=true)."""

    def __init__(self, url):
        import websocket  # python3-websocket; imported here so --help works without it
        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e["method"] == method for e in self.events):
                return True
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:  # timeout: loop and check the deadline
                pass
        return False

    def close(self):
        self.ws.close()


def problems_in(events):
    """Console errors, uncaught exceptions and failed loads among the events."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("uncaught exception: " + str(d.get("exception", {}).get("description")
                                                     or d.get("text")))
        elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console." + p["type"] + ": " + " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
    return out


def stop(proc):
    """Stop Chromium and every process of its group: politely, then firmly."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def inspect(page, screenshot=None, width=1280, height=900, timeout=60):
    """Load `page` and return {"problems": [...], "figures": [...]}; write a
    full-page PNG to `screenshot` if given."""
    page = pathlib.Path(page).resolve()
    if not page.is_file():
        raise FileNotFoundError(f"{page}: no such file")
    if not (shutil.which(CHROMIUM) or pathlib.Path(CHROMIUM).is_file()):
        raise BrowserError(f"{CHROMIUM} not found: install Debian's chromium "
                           "(scripts/setup.sh does)")
    # Chromium's helper processes may still touch the profile as it is removed.
    with tempfile.TemporaryDirectory(prefix="pbsim-chromium-", ignore_cleanup_errors=True) as profile:
        # Its own process group, so that stopping it stops its helpers too.
        proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            port_file = pathlib.Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + timeout
            while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
                if proc.poll() is not None:
                    raise BrowserError(f"{CHROMIUM} exited with status {proc.returncode}")
                if time.monotonic() > deadline:
                    raise BrowserError(f"{CHROMIUM} did not open its DevTools port")
                time.sleep(0.05)
            port, path = port_file.read_text().split()[:2]
            dt = DevTools(f"ws://127.0.0.1:{port}{path}")
            try:
                target = dt.call("Target.createTarget", url="about:blank")["targetId"]
                s = dt.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
                for domain in ("Page", "Runtime", "Log"):
                    dt.call(f"{domain}.enable", s)
                dt.call("Emulation.setDeviceMetricsOverride", s, width=width, height=height,
                        deviceScaleFactor=1, mobile=False)
                dt.events.clear()
                dt.call("Page.navigate", s, url=page.as_uri())
                if not dt.wait_for("Page.loadEventFired", timeout):
                    raise BrowserError(f"{page}: the load event did not fire in {timeout} s")
                figures = json.loads(dt.call("Runtime.evaluate", s, expression=FIGURES_JS,
                                             returnByValue=True)["result"]["value"])
                if screenshot:
                    size = dt.call("Page.getLayoutMetrics", s)["cssContentSize"]
                    shot = dt.call("Page.captureScreenshot", s, format="png",
                                   captureBeyondViewport=True,
                                   clip={"x": 0, "y": 0, "width": size["width"],
                                         "height": size["height"], "scale": 1})
                    out = pathlib.Path(screenshot)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(base64.b64decode(shot["data"]))
                return {"problems": problems_in(dt.events), "figures": figures}
            finally:
                dt.close()
        finally:
            stop(proc)


def failures(result, expected=()):
    """Every check that fails, as readable lines (empty when the page is fine)."""
    out = list(result["problems"])
    figures = {f["id"]: f for f in result["figures"]}
    for fid in expected:
        if fid not in figures:
            out.append(f"figure #{fid} is missing")
    for f in result["figures"]:
        if not f["images"]:
            out.append(f"figure #{f['id'] or '?'} has no image")
        for img in f["images"]:
            if not (img["complete"] and img["width"] > 0 and img["height"] > 0):
                out.append(f"figure #{f['id'] or '?'} has an image that did not load")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", help="HTML file to open")
    ap.add_argument("--screenshot", help="write a full-page PNG here")
    ap.add_argument("--expect-figures", default="",
                    help="comma-separated <figure> ids that must be present")
    args = ap.parse_args(argv)
    try:
        result = inspect(args.page, args.screenshot)
    except (FileNotFoundError, BrowserError) as exc:
        print(f"browser.py: error: {exc}", file=sys.stderr)
        return 2
    expected = [f for f in args.expect_figures.split(",") if f]
    bad = failures(result, expected)
    for line in bad:
        print(f"browser.py: FAIL: {line}", file=sys.stderr)
    loaded = sum(1 for f in result["figures"] for i in f["images"] if i["width"] > 0)
    print(f"browser.py: {args.page}: {len(result['figures'])} figures, {loaded} images loaded, "
          f"{len(result['problems'])} console problems"
          + (f"; screenshot {args.screenshot}" if args.screenshot else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
