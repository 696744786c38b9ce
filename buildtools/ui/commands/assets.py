"""`buildtools assets`: the project's assets against the costs of uploading and embedding."""

from __future__ import annotations

import json
import sys

from buildtools.assets.report import MB, AssetsReport, assets_report
from buildtools.config.model import Config
from buildtools.errors import UserError
from buildtools.ui.checks import ERROR, OK, Check
from buildtools.ui.common import config_here


def _size(value: int) -> str:
    return f"{value / MB:.1f} MB" if value >= MB else f"{value / 1024:.1f} KB"


def report_lines(report: AssetsReport) -> list[str]:
    lines = [f"assets: {report.folder or 'no extra_source_dir'}: {report.files} file(s), "
             f"{_size(report.total_bytes)}"]
    for name, size in report.largest:
        lines.append(f"  {_size(size):>10}  {name}")
    for item in report.architects:
        where = "offloaded to the bucket" if report.offload else _size(item.assets_bytes)
        line = (f"{item.architect}: assets {where}, artifact {_size(item.estimated_bytes)} "
                "if packaged now")
        if item.limit_bytes is not None:
            verdict = "within" if item.within_limit else "OVER"
            line += f" ({verdict} the limit of {_size(item.limit_bytes)})"
        lines.append(line)
    if report.files:
        lines.append(f"embedding: {_size(report.embed_bytes_per_unit)} per unit if each unit "
                     f"embeds all {report.files} file(s) (base64 adds "
                     f"{_size(report.embed_growth_bytes)}); a unit that embeds only its own "
                     f"file carries at most {_size(report.embed_largest_bytes)}")
    lines.append(f'access = "{report.access}": {report.exposure}')
    lines.append(f"recommendation: {report.recommendation}")
    return lines


def run_assets(as_json: bool = False) -> None:
    report = assets_report(config_here())
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
        return
    for line in report_lines(report):
        print(line)


def doctor_check(config: Config) -> Check:
    """The line of `buildtools doctor` about the assets (never required)."""
    try:
        report = assets_report(config)
    except UserError as exc:
        return Check("assets", ERROR, str(exc), required=False)
    where = "offloaded" if report.offload else "uploaded"
    detail = (f"{report.files} file(s), {_size(report.total_bytes)}, {where}, "
              f'access = "{report.access}"')
    return Check("assets", OK, detail, hint=report.recommendation, required=False)
