"""Builds the wheel of minilm23-spans.v3 with its weight files shared in ../shared."""
import runpy
from pathlib import Path

hook = Path(__file__).resolve().parent.parent / "shared" / "build_wheel.py"
runpy.run_path(str(hook), run_name="__main__")
