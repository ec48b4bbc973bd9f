//! `multipart/form-data` (RFC 7578) read from a body already held in memory (the form-token
//! guard reads it, bounded, before any handler runs): the parts of an upload form, each with
//! its field name, the file name the browser gave, and its bytes.

/// One part of the form.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    pub name: String,
    /// Present for a file input (possibly empty when no file was chosen).
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The fields of an upload form posted as `request`, by name: what each named part held (the
/// first part of a name; empty when absent, or when the body is no multipart form).
pub(crate) struct Fields(Vec<(String, Vec<u8>)>);

impl Fields {
    pub(crate) async fn read(request: axum::extract::Request) -> Fields {
        let content_type = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(request.into_body(), crate::csrf::MAX_UPLOAD_BYTES).await.unwrap_or_default();
        let parts = boundary(&content_type).and_then(|b| parse(&body, &b).ok()).unwrap_or_default();
        Fields(parts.into_iter().map(|p| (p.name, p.data.to_vec())).collect())
    }

    pub(crate) fn bytes(&self, name: &str) -> Vec<u8> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, data)| data.clone()).unwrap_or_default()
    }

    pub(crate) fn text(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.bytes(name)).into_owned()
    }
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    if !pieces.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (key.trim().eq_ignore_ascii_case("boundary") && (1..=70).contains(&value.len())).then(|| value.to_owned())
    })
}

/// Where `needle` first occurs: a scan for its first byte, then a comparison of the rest.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + i;
        if haystack.get(at + 1..at + needle.len()) == Some(tail) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Every part of `body`, in order; `Err` names what is malformed.
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, &'static str> {
    let delimiter = format!("--{boundary}");
    let start = find(body, delimiter.as_bytes()).ok_or("the form has no parts")?;
    let mut rest = &body[start + delimiter.len()..];
    let separator = format!("\r\n--{boundary}");
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("a part does not begin on its own line")?;
        let head_end = find(rest, b"\r\n\r\n").ok_or("a part's headers do not end")?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|_| "a part's headers are not text")?;
        let body_start = head_end + 4;
        let length = find(&rest[body_start..], separator.as_bytes()).ok_or("the form ends in the middle of a part")?;
        let (name, file_name) = disposition(head)?;
        parts.push(Part { name, file_name, data: &rest[body_start..body_start + length] });
        rest = &rest[body_start + length + separator.len()..];
    }
}

/// The field name and file name of a part's `Content-Disposition: form-data` header.
fn disposition(head: &str) -> Result<(String, Option<String>), &'static str> {
    let line = head
        .split("\r\n")
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition")))
        .map(|(_, v)| v)
        .ok_or("a part has no Content-Disposition")?;
    let (mut name, mut file_name) = (None, None);
    for (key, value) in parameters(line) {
        match key.to_ascii_lowercase().as_str() {
            "name" => name = Some(value),
            "filename" => file_name = Some(value),
            _ => {}
        }
    }
    Ok((name.ok_or("a part has no name")?, file_name))
}

/// `key=value` and `key="quoted; value"` pairs after the first `;`. Browsers percent-encode
/// quotes and line breaks in names (`%22`, `%0A`), so a quoted value has no escapes to undo.
fn parameters(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line.split_once(';').map_or("", |(_, r)| r);
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(';').trim().to_owned();
        let after = after.trim_start();
        let (value, next) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.split_once('"') {
                Some((value, next)) => (value, next),
                None => (quoted, ""),
            },
            None => after.split_once(';').map_or((after, ""), |(v, n)| (v.trim_end(), n)),
        };
        out.push((key, value.to_owned()));
        rest = next.trim_start().trim_start_matches(';');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_comes_from_a_form_data_content_type_only() {
        assert_eq!(boundary("multipart/form-data; boundary=----x1").as_deref(), Some("----x1"));
        assert_eq!(boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"").as_deref(), Some("a b"));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/mixed; boundary=x"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary(&format!("multipart/form-data; boundary={}", "x".repeat(71))), None);
    }

    #[test]
    fn parts_keep_their_names_file_names_and_exact_bytes() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntoken\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r\xC3\xA9sum\xC3\xA9; 1.pdf\"\r\n\
Content-Type: application/pdf\r\n\r\n%PDF-\r\n--XY\r\n\0\xFF\r\n--XyZ\r\n\
Content-Disposition: form-data; name=empty; filename=\"\"\r\n\r\n\r\n--XyZ--\r\nepilogue";
        let parts = parse(body, "XyZ").expect("parsed");
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], Part { name: "_csrf".into(), file_name: None, data: b"token" });
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].file_name.as_deref(), Some("résumé; 1.pdf"));
        assert_eq!(parts[1].data, b"%PDF-\r\n--XY\r\n\0\xFF", "a near-boundary inside the data is data");
        assert_eq!(parts[2], Part { name: "empty".into(), file_name: Some(String::new()), data: b"" });
    }

    #[test]
    fn malformed_forms_are_refused_not_guessed() {
        let cut = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end";
        assert!(parse(cut, "b").is_err());
        let nameless = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--";
        assert!(parse(nameless, "b").is_err());
        let headless = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
        assert!(parse(headless, "b").is_err());
        assert!(parse(b"no boundary at all", "b").is_err());
        assert_eq!(parse(b"--b--", "b").map(|p| p.len()), Ok(0));
    }
}
