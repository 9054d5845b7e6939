"""Process leaflets: Markdown with front matter in content/leaflets/ -> print PDF and web page.

source.py reads the file (front matter + Markdown body), checks.py finds problems by line,
build.py turns the body into HTML parts and embedded processes, job.py renders and writes,
watch.py rebuilds the web page on save. Rendering itself is in render/leaflet.py.
"""
