//! Inline labels for hand-written and generated documents: `[[NAME:Maria]]` marks an identifier,
//! `[[~:sertraline]]` a clinical token that must survive. Parsing yields the plain text and the
//! labels' byte offsets in it.

use crate::eval::Labelled;
use crate::kind::Kind;

/// A parsed document.
#[derive(Clone, Debug, Default)]
pub struct Marked {
    pub text: String,
    pub gold: Vec<Labelled>,
    pub clinical: Vec<(usize, usize)>,
}

/// Parses markup; an unknown kind or an unclosed label is an error naming it.
pub fn parse(source: &str) -> Result<Marked, String> {
    let mut out = Marked::default();
    let mut rest = source;
    while let Some(open) = rest.find("[[") {
        out.text.push_str(&rest[..open]);
        let inner = &rest[open + 2..];
        let close = inner
            .find("]]")
            .ok_or_else(|| format!("unclosed label near {:?}", inner.chars().take(30).collect::<String>()))?;
        let (label, value) =
            inner[..close].split_once(':').ok_or_else(|| format!("label without a kind: {:?}", &inner[..close]))?;
        let start = out.text.len();
        out.text.push_str(value);
        let end = out.text.len();
        if label == "~" {
            out.clinical.push((start, end));
        } else {
            let kind = Kind::parse(label).ok_or_else(|| format!("unknown kind {label:?}"))?;
            out.gold.push(Labelled { start, end, kind });
        }
        rest = &inner[close + 2..];
    }
    out.text.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_offsets() {
        let m = parse("Saw [[NAME:José]] on [[DATE:3/4]]; [[~:sertraline]] 50 mg.").expect("valid");
        assert_eq!(m.text, "Saw José on 3/4; sertraline 50 mg.");
        assert_eq!(&m.text[m.gold[0].start..m.gold[0].end], "José");
        assert_eq!(m.gold[1].kind, Kind::Date);
        assert_eq!(&m.text[m.clinical[0].0..m.clinical[0].1], "sertraline");
        assert!(parse("[[BOGUS:x]]").is_err());
        assert!(parse("[[NAME:x").is_err());
    }
}
