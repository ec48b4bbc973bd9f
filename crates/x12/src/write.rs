//! Writing X12: segments joined by Haven's delimiters (`*` between elements, `:` between
//! components, `^` between repetitions, `~` and a line break after each segment), trailing
//! empty elements dropped as the standard asks, and the envelopes around transactions.
//!
//! The writer trusts its values: [`crate::check`] refuses any value holding a delimiter before a
//! claim reaches it, and the claim writer runs the checks first.

use crate::Envelope;
use crate::claim::Adjustment;

pub const ELEMENT: char = '*';
pub const COMPONENT: char = ':';
pub const REPETITION: char = '^';
pub const SEGMENT: char = '~';

/// Whether `value` may stand in an element: printable, and none of the delimiters.
pub fn is_clean(value: &str) -> bool {
    value.chars().all(|c| !c.is_control() && ![ELEMENT, COMPONENT, REPETITION, SEGMENT].contains(&c))
}

/// A date as X12 writes it (CCYYMMDD).
pub fn date8(d: jiff::civil::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// A composite element's components, trailing empty ones dropped (`HC:90837:95`).
pub fn composite(components: &[&str]) -> String {
    let used = components.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
    components[..used].join(&COMPONENT.to_string())
}

/// Segments being written, counted per transaction set (for SE01).
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    in_transaction: usize,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `id*e1*e2…~`, without the trailing empty elements.
    pub fn segment(&mut self, id: &str, elements: &[&str]) {
        let used = elements.iter().rposition(|e| !e.is_empty()).map_or(0, |i| i + 1);
        self.out.push_str(id);
        for element in &elements[..used] {
            self.out.push(ELEMENT);
            self.out.push_str(element);
        }
        self.out.push(SEGMENT);
        self.out.push('\n');
        self.in_transaction += 1;
    }

    /// CAS segments for `list`: one per group (in the order the groups first appear), up to
    /// six (reason, amount) pairs each.
    pub fn adjustments(&mut self, list: &[Adjustment]) {
        let mut groups: Vec<&str> = Vec::new();
        for a in list {
            if !groups.contains(&a.group.as_str()) {
                groups.push(&a.group);
            }
        }
        for group in groups {
            let of_group: Vec<&Adjustment> = list.iter().filter(|a| a.group == group).collect();
            for chunk in of_group.chunks(6) {
                let mut elements: Vec<String> = vec![group.to_owned()];
                for a in chunk {
                    elements.extend([a.reason.clone(), a.amount.to_x12(), String::new()]);
                }
                let refs: Vec<&str> = elements.iter().map(String::as_str).collect();
                self.segment("CAS", &refs);
            }
        }
    }

    /// Opens an interchange and its one functional group: ISA and GS. `functional_id` is GS01
    /// (`HC` claims, `HP` remittance), `guide` GS08 (`005010X222A1`).
    pub fn open(&mut self, envelope: &Envelope, functional_id: &str, guide: &str) {
        let created = envelope.created;
        let yymmdd = format!("{:02}{:02}{:02}", created.year() % 100, created.month(), created.day());
        let ccyymmdd = date8(created.date());
        let hhmm = format!("{:02}{:02}", created.hour(), created.minute());
        let control = format!("{:09}", envelope.interchange_control);
        let padded = |id: &str| format!("{id:<15}");
        let blank = " ".repeat(10);
        let repetition = REPETITION.to_string();
        let usage = if envelope.test { "T" } else { "P" };
        // ISA is fixed-width and keeps every element, even empty ones.
        let isa = [
            "00",
            &blank,
            "00",
            &blank,
            "ZZ",
            &padded(&envelope.sender_id),
            "ZZ",
            &padded(&envelope.receiver_id),
            &yymmdd,
            &hhmm,
            &repetition,
            "00501",
            &control,
            "0",
            usage,
        ]
        .join(&ELEMENT.to_string());
        self.out.push_str(&format!("ISA{ELEMENT}{isa}{ELEMENT}{COMPONENT}{SEGMENT}\n"));
        let group = envelope.group_control.to_string();
        self.segment(
            "GS",
            &[functional_id, &envelope.sender_id, &envelope.receiver_id, &ccyymmdd, &hhmm, &group, "X", guide],
        );
    }

    /// Starts transaction set `control` (ST02, four digits or more) of type `set` (`837`).
    pub fn start(&mut self, set: &str, control: u32, guide: Option<&str>) {
        self.in_transaction = 0;
        let control = format!("{control:04}");
        self.segment("ST", &[set, &control, guide.unwrap_or("")]);
    }

    /// Ends the transaction set begun with [`Writer::start`]: SE with its segment count.
    pub fn end(&mut self, control: u32) {
        let count = (self.in_transaction + 1).to_string();
        self.segment("SE", &[&count, &format!("{control:04}")]);
    }

    /// Closes the group (with `transactions` sets) and the interchange.
    pub fn close(mut self, envelope: &Envelope, transactions: usize) -> String {
        self.segment("GE", &[&transactions.to_string(), &envelope.group_control.to_string()]);
        self.segment("IEA", &["1", &format!("{:09}", envelope.interchange_control)]);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_empty_elements_and_components_are_dropped() {
        let mut w = Writer::new();
        w.segment("CLM", &["PCN1", "260", "", "", &composite(&["10", "B", "1"]), "", ""]);
        w.segment("SV1", &[&composite(&["HC", "90837", "", "", ""]), "200"]);
        assert_eq!(w.out, "CLM*PCN1*260***10:B:1~\nSV1*HC:90837*200~\n");
        assert!(is_clean("O'NEIL-SMITH, JR. #2") && !is_clean("A*B") && !is_clean("A~") && !is_clean("a\nb"));
    }
}
