"""The page's Chinese font: the glyphs it uses, cut from the project's Noto Sans SC, inline.

A browser without a Chinese font (a server's headless browser, a fresh Linux desktop) would
draw boxes. The page therefore carries its own font: the glyphs of every text it can show
(explorer and briefing labels, scenario names), subset from the Noto Sans SC file that the
charts already use (SIL Open Font License 1.1, package ``pylopdf-fonts-zh-cn``), about
140 KB, embedded in the page's style sheet as a data URL. Nothing is fetched from outside.
"""

from __future__ import annotations

import base64
import functools
import io

FAMILY = "ExplorerNotoSansSC"


def page_text() -> str:
    """Every character the page can show."""
    from analysis.labels import LABELS
    from explorer.text import TEXT
    from sim.config import available_scenarios, scenario_label

    parts = [zh + en for zh, en in (*TEXT.values(), *LABELS.values())]
    parts += [scenario_label(s, "zh") for s in available_scenarios()]
    parts.append("".join(chr(c) for c in range(32, 127)) + "（）：；，。、「」–×·%")
    return "".join(sorted(set("".join(parts))))


@functools.cache
def font_css() -> str:
    """CSS with an ``@font-face`` of the subset font and the rule that puts it in use."""
    import pylopdf_fonts_zh_cn
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = TTFont(pylopdf_fonts_zh_cn.sans_path())
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=page_text())
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; '
        f'src: url(data:font/otf;base64,{data}) format("opentype"); }}\n'
        f'.v-application, .v-application * {{ font-family: Roboto, "{FAMILY}", sans-serif; }}\n'
    )
