//! The reference lists shipped in `data/` are small CSV files (RFC 4180 quoting, one header).

/// The fields of one CSV line; quoted fields may hold commas and doubled quotes.
pub(crate) fn fields(line: &'static str) -> Vec<std::borrow::Cow<'static, str>> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut end = 0;
            let bytes = quoted.as_bytes();
            while end < bytes.len() {
                if bytes[end] == b'"' && bytes.get(end + 1) == Some(&b'"') {
                    end += 2;
                } else if bytes[end] == b'"' {
                    break;
                } else {
                    end += 1;
                }
            }
            fields.push(std::borrow::Cow::Owned(quoted[..end].replace("\"\"", "\"")));
            rest = quoted.get(end + 1..).unwrap_or("");
            match rest.strip_prefix(',') {
                Some(next) => rest = next,
                None => return fields,
            }
        } else {
            match rest.split_once(',') {
                Some((field, next)) => {
                    fields.push(std::borrow::Cow::Borrowed(field));
                    rest = next;
                }
                None => {
                    fields.push(std::borrow::Cow::Borrowed(rest));
                    return fields;
                }
            }
        }
    }
}
