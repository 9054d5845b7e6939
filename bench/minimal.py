"""The minimal script benchmark 5 compares a cold `brevgen` run with: import WeasyPrint and render
one HTML file once, with the letter's stylesheet and the same PDF options brevgen uses (whole
fonts when the prepared font is there, as brevgen does; ordinary subsetting before it was).

    python bench/minimal.py LETTER.html OUT.pdf
"""

import sys
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

templates = sys.argv[3] if len(sys.argv) > 3 else "templates"
fonts = FontConfiguration()
css = weasyprint.CSS(filename=f"{templates}/letter.css", font_config=fonts)
html = weasyprint.HTML(filename=sys.argv[1], base_url=templates + "/")
html.write_pdf(sys.argv[2], stylesheets=[css], font_config=fonts, pdf_variant="pdf/ua-1",
               full_fonts=Path(templates, "fonts").is_dir())
