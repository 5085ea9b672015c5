#!/usr/bin/env bash
# Sends the spreadsheets of the security pass to a release build on SQLite and reports, for
# each, the answer's status and size, the time taken, and the server's peak memory (VmHWM)
# afterwards: a cell at ZZZZZZ2, a 2.6-million-column header, a row with 2.6 million extra
# cells, a 1 GB cell packed into about 1 MB, a shared-string table unpacking to gigabytes, and
# a table declaring four billion strings. Needs python3 (to build the files) and curl.
# Usage: bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p idp -p nx-bench
idp=target/release/idp
bench=target/release/nx-catalogue-bench
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import sys, zipfile
work = sys.argv[1]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

def book(name, sheet, shared=None, stream=None):
    with zipfile.ZipFile(f"{work}/{name}.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} {RELNS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        if stream is not None:
            with z.open(stream[0], "w", force_zip64=True) as part:
                for chunk in stream[1]():
                    part.write(chunk)
        else:
            z.writestr("xl/worksheets/sheet1.xml", sheet)

header = '<row r="1"><c r="A1" t="inlineStr"><is><t>ORG_ID</t></is></c><c r="B1" t="inlineStr"><is><t>ORG_NAME</t></is></c></row>'
sheet = lambda rows: f'<?xml version="1.0"?><worksheet {NS}><sheetData>{header}{rows}</sheetData></worksheet>'
book("far_column", sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>X-1</t></is></c><c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c></row>'))

def one_gigabyte_cell():
    yield f'<?xml version="1.0"?><worksheet {NS}><sheetData>{header}<row r="2"><c r="B2" t="inlineStr"><is><t>'.encode()
    block = b"a" * (1 << 20)
    for _ in range(1024):
        yield block
    yield b'</t></is></c></row></sheetData></worksheet>'
book("gigabyte_cell", None, stream=("xl/worksheets/sheet1.xml", one_gigabyte_cell))

def huge_shared_strings():
    yield f'<?xml version="1.0"?><sst {NS}>'.encode()
    block = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></si>" * 20000
    for _ in range(3000):
        yield block
    yield b"</sst>"
book("shared_strings", sheet(""), stream=("xl/sharedStrings.xml", huge_shared_strings))
book("declared_strings", sheet(""), shared=f'<?xml version="1.0"?><sst {NS} count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>')

with open(f"{work}/wide_header.csv", "w") as f:
    f.write("ORG_ID" + ",x" * 2_600_000 + "\nW-1\n")
with open(f"{work}/wide_row.csv", "w") as f:
    f.write("ORG_ID,ORG_NAME\nW-1,宽行公司" + ",x" * 2_600_000 + "\n")
PY

db="sqlite://$work/hostile.db"
port=18095
RUST_LOG=warn "$idp" --database-url "$db" serve --listen "127.0.0.1:$port" \
  --issuer "http://127.0.0.1:$port" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
token=$("$bench" --url "http://127.0.0.1:$port" --database-url "$db" token)
echo "   server RSS at start $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
printf '%-18s %10s %7s %12s %8s %s\n' file packed status answer seconds "peak RSS"
for f in far_column.xlsx gigabyte_cell.xlsx shared_strings.xlsx declared_strings.xlsx wide_header.csv wide_row.csv; do
  case $f in
    *.xlsx) type=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ;;
    *) type=text/csv ;;
  esac
  out=$(curl -s -o "$work/answer" -w '%{http_code} %{size_download} %{time_total}' \
    -H "authorization: Bearer $token" -H "content-type: $type" \
    --data-binary "@$work/$f" "http://127.0.0.1:$port/api/catalogue/enterprise/import")
  read -r status size seconds <<<"$out"
  printf '%-18s %10s %7s %12s %8s %s\n' "$f" "$(stat -c %s "$work/$f")" "$status" "$size B" "$seconds" \
    "$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && echo "   /readyz still answers"
kill $pid; wait $pid 2>/dev/null || true
