//! Reading X12: the delimiters from the ISA segment (whatever the sender chose), the segments,
//! and the envelopes checked — every ST closed by an SE with the right count and control
//! number, every GS by its GE, the ISA by its IEA. Anything else is an [`X12Error`] naming the
//! segment; no input makes it panic.

use domain::money::Cents;
use jiff::civil::Date;

use crate::X12Error;

/// One segment: its id and elements (`get(1)` is the first element after the id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based, counting from ISA.
    pub position: usize,
    pub id: String,
    elements: Vec<String>,
    component: char,
}

impl Segment {
    /// Element `n` (1-based), empty when absent.
    pub fn get(&self, n: usize) -> &str {
        n.checked_sub(1).and_then(|i| self.elements.get(i)).map_or("", String::as_str)
    }

    /// Element `n`'s components.
    pub fn components(&self, n: usize) -> Vec<&str> {
        self.get(n).split(self.component).collect()
    }

    pub fn error(&self, problem: impl Into<String>) -> X12Error {
        X12Error::at(self.position, &self.id, problem)
    }

    /// Element `n` as an amount (element type R: digits, a point, a sign), `None` when empty.
    pub fn amount(&self, n: usize) -> Result<Option<Cents>, X12Error> {
        let text = self.get(n);
        if text.is_empty() {
            return Ok(None);
        }
        let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        match Cents::parse(text) {
            Ok(cents) if plain => Ok(Some(cents)),
            _ => Err(self.error(format!("element {n} ({text:?}) is not an amount"))),
        }
    }

    /// Element `n` as a date (CCYYMMDD), `None` when empty.
    pub fn date(&self, n: usize) -> Result<Option<Date>, X12Error> {
        let text = self.get(n);
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || self.error(format!("element {n} ({text:?}) is not a date (CCYYMMDD)"));
        if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (y, m, d) = (
            text[..4].parse().map_err(|_| bad())?,
            text[4..6].parse().map_err(|_| bad())?,
            text[6..].parse().map_err(|_| bad())?,
        );
        Date::new(y, m, d).map(Some).map_err(|_| bad())
    }

    /// A PER segment's telephone number (the number after its `TE` qualifier), or empty.
    pub fn phone(&self) -> &str {
        [3, 5, 7].into_iter().find(|n| self.get(*n) == "TE").map_or("", |n| self.get(n + 1))
    }
}

/// A transaction set: the segments from ST to SE, both included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub set: String,
    pub control: String,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// GS01: `HC` claims, `HP` remittance, `FA` acknowledgements, `HB`/`HS` eligibility.
    pub functional_id: String,
    pub control: String,
    /// GS08, the implementation guide (`005010X221A1`).
    pub guide: String,
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    pub sender: String,
    pub receiver: String,
    pub control: String,
    pub test: bool,
    pub groups: Vec<Group>,
}

/// Splits `text` into segments and checks its envelopes.
pub fn parse(text: &str) -> Result<Interchange, X12Error> {
    let segments = segments(text)?;
    let mut rest = segments.as_slice();
    let (isa, tail) = rest.split_first().ok_or_else(|| X12Error::at(1, "ISA", "the file is empty"))?;
    rest = tail;
    let mut groups = Vec::new();
    loop {
        let Some((head, tail)) = rest.split_first() else {
            return Err(X12Error::at(segments.len() + 1, "IEA", "the interchange is not closed (no IEA)"));
        };
        match head.id.as_str() {
            "GS" => {
                let (group, after) = group(head, tail)?;
                groups.push(group);
                rest = after;
            }
            "IEA" => {
                if let Some(extra) = tail.first() {
                    return Err(extra.error("data after the interchange's IEA"));
                }
                expect_count(head, 1, groups.len(), "functional groups")?;
                if head.get(2).trim_start_matches('0') != isa.get(13).trim_start_matches('0') {
                    return Err(head.error(format!("control number {} is not the ISA's {}", head.get(2), isa.get(13))));
                }
                break;
            }
            _ => return Err(head.error("a functional group (GS) or the IEA was expected here")),
        }
    }
    Ok(Interchange {
        sender: isa.get(6).trim().to_owned(),
        receiver: isa.get(8).trim().to_owned(),
        control: isa.get(13).to_owned(),
        test: isa.get(15) == "T",
        groups,
    })
}

fn group<'a>(gs: &Segment, mut rest: &'a [Segment]) -> Result<(Group, &'a [Segment]), X12Error> {
    let mut transactions = Vec::new();
    loop {
        let Some((head, tail)) = rest.split_first() else {
            return Err(gs.error("the functional group is not closed (no GE)"));
        };
        match head.id.as_str() {
            "ST" => {
                let end = tail.iter().position(|s| s.id == "SE" || s.id == "ST" || s.id == "GE" || s.id == "IEA");
                let Some(end) = end.filter(|i| tail[*i].id == "SE") else {
                    return Err(head.error("the transaction set is not closed (no SE)"));
                };
                let se = &tail[end];
                expect_count(se, 1, end + 2, "segments")?;
                if se.get(2) != head.get(2) {
                    return Err(se.error(format!("control number {} is not the ST's {}", se.get(2), head.get(2))));
                }
                let mut segments = vec![head.clone()];
                segments.extend_from_slice(&tail[..=end]);
                transactions.push(Transaction {
                    set: head.get(1).to_owned(),
                    control: head.get(2).to_owned(),
                    segments,
                });
                rest = &tail[end + 1..];
            }
            "GE" => {
                expect_count(head, 1, transactions.len(), "transaction sets")?;
                if head.get(2) != gs.get(6) {
                    return Err(head.error(format!("control number {} is not the GS's {}", head.get(2), gs.get(6))));
                }
                let group = Group {
                    functional_id: gs.get(1).to_owned(),
                    control: gs.get(6).to_owned(),
                    guide: gs.get(8).to_owned(),
                    transactions,
                };
                return Ok((group, tail));
            }
            _ => return Err(head.error("a transaction set (ST) or the GE was expected here")),
        }
    }
}

fn expect_count(segment: &Segment, element: usize, actual: usize, what: &str) -> Result<(), X12Error> {
    match segment.get(element).parse::<usize>() {
        Ok(n) if n == actual => Ok(()),
        Ok(n) => Err(segment.error(format!("says {n} {what}, there are {actual}"))),
        Err(_) => Err(segment.error(format!("the count of {what} is not a number"))),
    }
}

/// The segments of `text`, with the delimiters its ISA declares.
fn segments(text: &str) -> Result<Vec<Segment>, X12Error> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let not_isa = || X12Error::at(1, "ISA", "the file does not start with an ISA segment");
    if !text.starts_with("ISA") {
        return Err(not_isa());
    }
    let header: Vec<char> = text.chars().take(106).collect();
    if header.len() < 106 {
        return Err(X12Error::at(1, "ISA", "the ISA segment is cut short (it is 106 characters)"));
    }
    let (element, component, terminator) = (header[3], header[104], header[105]);
    let distinct = element != component && element != terminator && component != terminator;
    if !distinct || element.is_alphanumeric() || terminator.is_alphanumeric() {
        return Err(X12Error::at(1, "ISA", "the ISA's delimiters are not usable"));
    }
    let mut out = Vec::new();
    for (i, raw) in text.split(terminator).enumerate() {
        let raw = raw.trim_matches(|c: char| c == '\r' || c == '\n');
        if raw.trim().is_empty() {
            continue;
        }
        let position = out.len() + 1;
        let mut parts = raw.split(element);
        let id = parts.next().unwrap_or_default().to_owned();
        let well_formed =
            (2..=3).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !well_formed {
            return Err(X12Error::at(position, &id, "not a segment (wrong delimiters?)"));
        }
        let elements: Vec<String> = parts.map(str::to_owned).collect();
        if i == 0 && elements.len() != 16 {
            return Err(X12Error::at(1, "ISA", format!("the ISA has {} elements, not 16", elements.len())));
        }
        out.push(Segment { position, id, elements, component });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261101*1200*^*00501*000000007*0*T*:~\nGS*HP*A*B*20261101*1200*7*X*005010X221A1~\nST*835*0001~\nBPR*I*0*C*NON~\nSE*3*0001~\nGE*1*7~\nIEA*1*000000007~\n";

    #[test]
    fn a_well_formed_interchange() {
        let parsed = parse(MINIMAL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((parsed.sender.as_str(), parsed.control.as_str(), parsed.test), ("A", "000000007", true));
        let set = &parsed.groups[0].transactions[0];
        assert_eq!((set.set.as_str(), set.segments.len()), ("835", 3));
        assert_eq!(set.segments[1].get(2), "0");
        assert_eq!(set.segments[1].get(9), "");
    }

    #[test]
    fn broken_envelopes_name_their_segment() {
        let broken = |from: &str, to: &str| parse(&MINIMAL.replace(from, to)).map(drop);
        let problem = |r: Result<(), X12Error>| r.err().map(|e| (e.id, e.problem)).unwrap_or_default();
        assert_eq!(problem(broken("SE*3*", "SE*4*")).1, "says 4 segments, there are 3");
        assert!(problem(broken("SE*3*0001", "SE*3*0002")).1.contains("not the ST's"));
        assert!(problem(broken("GE*1*7", "GE*1*8")).1.contains("not the GS's"));
        assert!(problem(broken("IEA*1*000000007", "IEA*1*000000008")).1.contains("not the ISA's"));
        assert_eq!(problem(broken("IEA*1*000000007~\n", "")).0, "IEA");
        assert_eq!(problem(broken("SE*3*0001~\n", "")).1, "the transaction set is not closed (no SE)");
        assert_eq!(problem(broken("ISA*00", "ISA|00")).0, "ISA");
        assert!(problem(broken("ST*835", "ST|835")).1.contains("not a segment"));
        // Other delimiters, declared by the ISA, are as good.
        assert!(broken("*", "|").is_ok() && broken("~", "!").is_ok());
        for cut in 0..MINIMAL.len() {
            // Never a panic, whatever is cut off.
            let _ = parse(&MINIMAL[..cut]);
        }
    }
}
