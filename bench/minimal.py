"""The minimal script benchmark 5 compares a cold `brevgen` run with: import WeasyPrint and render
one HTML file once, with the letter's stylesheet and the same PDF options brevgen uses (PDF/UA-1,
fonts subset: with HarfBuzz where libharfbuzz-subset0 is installed, as `make setup` does).

    python bench/minimal.py LETTER.html OUT.pdf [TEMPLATES] [--fast-import]

--fast-import imports WeasyPrint the way brevgen does (generator/render/weasyprint_loader.py,
without its library search), so that the comparison shows brevgen's own overhead only.
"""

import sys

args = [a for a in sys.argv[1:] if a != "--fast-import"]
if "--fast-import" in sys.argv:
    from generator.render.weasyprint_loader import load_weasyprint

    weasyprint = load_weasyprint()
else:
    import weasyprint

templates = args[2] if len(args) > 2 else "templates"
fonts = weasyprint.text.fonts.FontConfiguration()
css = weasyprint.CSS(filename=f"{templates}/letter.css", font_config=fonts)
html = weasyprint.HTML(filename=args[0], base_url=templates + "/")
html.write_pdf(args[1], stylesheets=[css], font_config=fonts, pdf_variant="pdf/ua-1")
