"""Time and size of QR posters and label sheets for many entrances.

Renders A4 posters and 3x8 label sheets for N entrances (default 1,000), each from a cold code
cache (fonts are loaded once per process, as in the app, and that load is timed on its own).
Prints seconds, peak memory, total bytes and bytes per page; the goal is under 3 s for each on
a 2-core machine and under 30 KB per poster page.
Run: .venv/bin/python bench/sheets.py [--entrances N] [--repeat K] [--json]
"""

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serve import smoke  # noqa: E402

from qr_sheets import (  # noqa: E402
    PRESETS,
    PosterOptions,
    SheetItem,
    codes,
    fonts,
    render_labels,
    render_posters,
)

TOKEN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
COMPOUNDS = ["微波宿舍", "八一小区", "航天科工二院职工宿舍", "翠微路甲3号院", "永定路西里",
             "复兴路28号院"]
GOAL_SECONDS = 3.0
GOAL_POSTER_PAGE_BYTES = 30 * 1024


def entrances(count: int) -> list[SheetItem]:
    rng = random.Random(8)
    items = []
    for i in range(count):
        token = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(12))
        items.append(SheetItem(
            url=f"http://127.0.0.1:8000/q/{token}",
            community="八一社区" if i % 3 else "永定路社区",
            compound=COMPOUNDS[i % len(COMPOUNDS)],
            building=f"{i // 6 % 40 + 1}号楼",
            entrance=f"{i % 6 + 1}单元" if i % 10 else None,
            hotline="010-6851 2345",
            hotline_24h="010-6851 9999" if i % 2 else None,
        ))
    return items


def run(name: str, render, pages: int, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        codes.clear_cache()
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    codes.clear_cache()
    tracemalloc.start()  # a separate run: tracing slows Python down
    render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "name": name, "seconds": min(times), "seconds_all": [round(t, 3) for t in times],
        "peak_traced_mb": peak / 2**20, "bytes": len(pdf), "pages": pages,
        "bytes_per_page": len(pdf) / pages,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entrances", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best is shown")
    parser.add_argument("--json", action="store_true")
    args = smoke(parser, entrances=6, repeat=1)

    items = entrances(args.entrances)
    start = time.perf_counter()
    fonts.register_fonts()
    font_seconds = time.perf_counter() - start
    sheet = PRESETS["3x8"]
    results = [
        run("posters A4", lambda: render_posters(items, PosterOptions(paper="A4")),
            len(items), args.repeat),
        run("labels 3x8", lambda: render_labels(items, sheet),
            sheet.pages_for(len(items)), args.repeat),
    ]
    single = render_posters(items[:1])
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "entrances": args.entrances, "python": platform.python_version(),
        "cpus": os.cpu_count(), "font_load_seconds": font_seconds,
        "single_poster_bytes": len(single), "maxrss_mb": maxrss_mb, "results": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.entrances} entrances, Python {report['python']}, {report['cpus']} CPUs; "
              f"fonts loaded and registered once in {font_seconds:.2f} s")
        print(f"{'':12} {'seconds':>8} {'peak MB':>8} {'pages':>6} {'bytes':>11} "
              f"{'bytes/page':>11}")
        for r in results:
            print(f"{r['name']:12} {r['seconds']:8.2f} {r['peak_traced_mb']:8.1f} {r['pages']:6d} "
                  f"{r['bytes']:11,d} {r['bytes_per_page']:11,.0f}")
        print(f"one poster alone: {len(single):,d} bytes (font subsets included); "
              f"process max RSS {maxrss_mb:.0f} MB")
        print("(seconds: best of the timed runs, each with a cold code cache; peak MB: "
              "tracemalloc peak of one more run)")
    over = [r["name"] for r in results if r["seconds"] > GOAL_SECONDS]
    if max(results[0]["bytes_per_page"], len(single)) > GOAL_POSTER_PAGE_BYTES:
        over.append("poster bytes per page")
    if over:
        print("over goal: " + ", ".join(over), file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
