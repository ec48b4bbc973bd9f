//! Identifiers recognised by their symbols: e-mail addresses, URLs, IPv6 addresses and social
//! handles. Scans bytes, not tokens: these cross token boundaries.

use super::{Detector, Document};
use crate::kind::{Confidence, Kind, Span};

#[derive(Debug)]
pub(crate) struct SymbolDetector;

const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "us", "co", "info", "biz", "me", "app", "health", "ly", "uk", "ca", "de",
    // link-in-bio and streaming sites: "linktr.ee/name", "twitch.tv/name"
    "ee", "tv", "gg", "bio", "link",
];

/// The bytes an identifier found here can start at: "@", the "h" of "http" and the "w" of "www",
/// a domain's ".", an IPv6 ":", "$" and "/" of tagged handles, and "_" of a user name.
const MAY_START: [bool; 256] = {
    let mut table = [false; 256];
    let starts = b"@hHwW.:$/_";
    let mut k = 0;
    while k < starts.len() {
        table[starts[k] as usize] = true;
        k += 1;
    }
    table
};

impl Detector for SymbolDetector {
    fn detect(&self, doc: &Document<'_>, out: &mut Vec<Span>) {
        let text = doc.text();
        let bytes = text.as_bytes();
        let mut covered_to = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // Most bytes start nothing here: one table lookup skips them.
            if !MAY_START[usize::from(b)] {
                i += 1;
                continue;
            }
            let found = if i < covered_to {
                None
            } else if b == b'@' {
                email_at(bytes, i).or_else(|| handle_at(bytes, i))
            } else if matches!((b | 0x20, bytes.get(i + 1).map(|n| n | 0x20)), (b'h', Some(b't')) | (b'w', Some(b'w')))
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            {
                url_at(bytes, i)
            } else if b == b'.' {
                bare_domain_at(bytes, i).or_else(|| dotted_label_at(bytes, i))
            } else if b == b':' {
                ipv6_at(bytes, i)
            } else if b == b'$' || (b == b'/' && i > 0 && bytes[i - 1] | 0x20 == b'u') {
                tagged_handle_at(bytes, i)
            } else if b == b'_' {
                underscored_at(bytes, i, covered_to)
            } else {
                None
            };
            if let Some((start, end, kind)) = found
                && start >= covered_to
            {
                out.push(Span::new(start, end, kind, Confidence::High));
                covered_to = end;
            }
            i += 1;
        }
        named_handles(doc, out);
        spoken_emails(doc, out);
    }
}

/// A mail service's name, as a spoken address's domain: a company, no one's identifier.
pub(super) fn is_mail_provider(word: &str) -> bool {
    matches!(
        word,
        "gmail"
            | "yahoo"
            | "hotmail"
            | "outlook"
            | "icloud"
            | "aol"
            | "protonmail"
            | "proton"
            | "comcast"
            | "ymail"
            | "msn"
    )
}

/// An address read out in a voicemail or transcript: "iggy dot bello at gmail", "jsmith at
/// riverside dot org". The name before "at" is joined by "dot", "underscore" or "dash" or holds a
/// digit, unless the domain is read out with its "dot".
fn spoken_emails(doc: &Document<'_>, out: &mut Vec<Span>) {
    let tokens = &doc.tokens;
    let n = tokens.len();
    let word = |k: usize| tokens.raw(k).bytes().all(|b| b.is_ascii_alphanumeric());
    // "dkaplan [at] nvcc [dot] edu": brackets around the words count as spaces
    let spaced = |k: usize| {
        let gap = tokens.gap_after(k);
        gap.contains([' ', '[', '(']) && gap.chars().all(|c| matches!(c, ' ' | '[' | ']' | '(' | ')'))
    };
    for at in 1..n.saturating_sub(1) {
        if !matches!(tokens.norm(at).as_bytes(), [b'a', b't'])
            || !spaced(at - 1)
            || !spaced(at)
            || !word(at + 1)
            || !word(at - 1)
        {
            continue;
        }
        let mut end = at + 1;
        while end + 2 < n && tokens.norm(end + 1) == "dot" && spaced(end) && spaced(end + 1) && word(end + 2) {
            end += 2;
        }
        let provider = is_mail_provider(tokens.norm(at + 1));
        let mut start = at - 1;
        while start >= 2
            && matches!(tokens.norm(start - 1), "dot" | "underscore" | "dash" | "hyphen")
            && spaced(start - 2)
            && spaced(start - 1)
            && word(start - 2)
        {
            start -= 2;
        }
        let joined = start < at - 1 || tokens.raw(at - 1).bytes().any(|b| b.is_ascii_digit());
        let read_out = end > at + 1 && TLDS.contains(&tokens.norm(end));
        let plain_name = doc.flags(at - 1) & crate::lexicon::FUNCTION == 0 && !doc.is_stop(at - 1);
        if (joined && (provider || read_out)) || (read_out && plain_name) {
            out.push(doc.span(start, end, Kind::Email, Confidence::Medium));
        }
    }
}

/// Handles written without "@" after the platform they belong to: "her Instagram skye.dances.09",
/// "a TikTok account, sky3_is_fake". Only a piece shaped like a handle (a dot, underscore or digit
/// in it, or no English word) counts, so "her Instagram posts" stays.
fn named_handles(doc: &Document<'_>, out: &mut Vec<Span>) {
    let tokens = &doc.tokens;
    let text = doc.text();
    let mut covered = 0;
    for i in 0..tokens.len() {
        let platform = matches!(
            tokens.norm(i),
            "instagram"
                | "insta"
                | "ig"
                | "tiktok"
                | "snapchat"
                | "snap"
                | "twitter"
                | "threads"
                | "facebook"
                | "discord"
                | "reddit"
                | "twitch"
                | "youtube"
                | "bluesky"
                | "venmo"
                | "user"
                | "cashapp"
                | "paypal"
                | "zelle"
                | "handle"
                | "username"
                | "gamertag"
                | "screenname"
        );
        // "an account, kendraw.xo,", "her sister's account tayy.wallace": after a general word, only
        // a piece joined by a dot or an underscore
        let account = matches!(tokens.norm(i), "account" | "accounts" | "profile" | "page");
        if !platform && !account {
            continue;
        }
        // Before it: "follows him as giuliab_nyc on Instagram"
        if i >= 1 && tokens.norm(i - 1) == "on" {
            let before = text[..tokens.list[i - 1].start].trim_end();
            let start = before.rfind(char::is_whitespace).map_or(0, |k| k + 1);
            let piece = &before[start..];
            let shaped = piece.len() >= 3
                && piece.contains(['.', '_'])
                && piece.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                && piece.as_bytes()[0].is_ascii_alphanumeric()
                && piece.as_bytes()[piece.len() - 1].is_ascii_alphanumeric();
            if shaped && start >= covered {
                out.push(Span::new(start, start + piece.len(), Kind::SocialHandle, Confidence::High));
            }
        }
        // The handle follows within the sentence: "her Instagram skye.dances.09", "a TikTok
        // account, sky3_is_fake", "a fake Instagram in her name, sunita.rao.real".
        for j in i + 1..tokens.len().min(i + 7) {
            let gap = tokens.gap_before(j);
            if gap.contains(['\n', '.', '!', '?', ';'])
                && !gap.trim().is_empty()
                && gap.trim() != ","
                && gap.trim() != ":"
            {
                break;
            }
            let start = tokens.list[j].start;
            if start < covered {
                continue;
            }
            let piece_end = text[start..].find(char::is_whitespace).map_or(text.len(), |k| start + k);
            let end = trim_end(text.as_bytes(), start, piece_end);
            let piece = &text[start..end];
            let next = j + 1 >= tokens.len() || tokens.list[j + 1].start >= end;
            let joined = piece.contains(['.', '_', '-']);
            let shaped = joined || piece.bytes().any(|b| b.is_ascii_digit());
            // Right after the platform (or its "account", "is"), an unknown lower-case word counts too.
            // "on Discord all night as finchyboi": the name given after "as"
            let near = j <= i + 3 || tokens.norm(j - 1) == "as";
            let unknown_word = near && next && doc.flags(j) == 0 && tokens.list[j].shape == crate::text::Shape::Lower;
            let handle_like = piece.len() >= 3
                && piece.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                && piece.as_bytes()[0].is_ascii_alphanumeric();
            // A gamer's tag: "rorythefox#4471"
            let tagged = piece.split_once('#').is_some_and(|(name, tag)| {
                name.len() >= 2
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_'))
                    && tag.len() == 4
                    && tag.bytes().all(|b| b.is_ascii_digit())
            });
            // "Discord with counselors (Z64.4)": a diagnosis code is no handle
            let handle_like = handle_like && !crate::text::is_icd10_code(piece);
            let dotted = piece.contains(['.', '_'])
                && piece.bytes().any(|b| b.is_ascii_alphabetic())
                && ![".com", ".org", ".net", ".edu", ".gov"].iter().any(|tld| piece.ends_with(tld));
            let found = if account {
                handle_like && dotted
            } else {
                tagged || handle_like && ((near && shaped) || joined || unknown_word)
            };
            if found {
                out.push(Span::new(start, end, Kind::SocialHandle, Confidence::High));
                covered = end;
                break;
            }
        }
    }
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_host(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// Trailing punctuation that ends a sentence rather than the identifier.
fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b'.' | b',' | b';' | b':' | b')' | b'!' | b'?' | b'\'' | b'"' | b'-')
    {
        end -= 1;
    }
    end
}

fn email_at(bytes: &[u8], at: usize) -> Option<(usize, usize, Kind)> {
    let mut start = at;
    while start > 0 && is_local(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at + 1;
    while end < bytes.len() && is_host(bytes[end]) {
        end += 1;
    }
    let end = trim_end(bytes, at + 1, end);
    let host = &bytes[at + 1..end];
    let dot = host.iter().rposition(|&b| b == b'.')?;
    let tld = &host[dot + 1..];
    (start < at && dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some((
        start,
        end,
        Kind::Email,
    ))
}

fn handle_at(bytes: &[u8], at: usize) -> Option<(usize, usize, Kind)> {
    if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'.')) {
        end += 1;
    }
    let end = trim_end(bytes, at + 1, end);
    (end - at >= 3).then_some((at, end, Kind::SocialHandle))
}

/// "posted on X as lucian_the_last": words joined by an underscore are a user name, wherever
/// written (a blank to fill in, "____", has no letters beside it).
fn underscored_at(bytes: &[u8], at: usize, covered_to: usize) -> Option<(usize, usize, Kind)> {
    if at == 0 || !bytes[at - 1].is_ascii_alphanumeric() || !bytes.get(at + 1)?.is_ascii_alphanumeric() {
        return None;
    }
    let (start, mut end) = piece_around(bytes, at, covered_to, b"_.-");
    // a sentence's full stop or a trailing dash is not part of it
    while end > at && !bytes[end - 1].is_ascii_alphanumeric() {
        end -= 1;
    }
    let letters = bytes[start..end].iter().filter(|b| b.is_ascii_alphabetic()).count();
    // "pt_name=Florencia": an exported record's key, not a user
    let key = bytes.get(end) == Some(&b'=');
    (end - start >= 5 && letters >= 3 && !key).then_some((start, end, Kind::SocialHandle))
}

/// "lior.bd: anyone else's parents…": a chat's user name, joined by a dot, labelling its line.
fn dotted_label_at(bytes: &[u8], dot: usize) -> Option<(usize, usize, Kind)> {
    // most dots end a sentence
    if !bytes.get(dot + 1)?.is_ascii_alphanumeric() {
        return None;
    }
    let (start, end) = piece_around(bytes, dot, 0, b"._");
    let opens_line = start == 0 || bytes[start - 1] == b'\n';
    let labels = bytes.get(end) == Some(&b':') && bytes.get(end + 1) == Some(&b' ');
    let letters = bytes[start..end].iter().filter(|b| b.is_ascii_alphabetic()).count();
    let shaped = start < dot && dot + 1 < end && letters >= 3 && bytes[start].is_ascii_lowercase();
    (opens_line && labels && shaped).then_some((start, end, Kind::Name))
}

/// The bytes around `at` that are letters, digits or one of `joiners`, from no earlier than `floor`.
fn piece_around(bytes: &[u8], at: usize, floor: usize, joiners: &[u8]) -> (usize, usize) {
    let part = |b: u8| b.is_ascii_alphanumeric() || joiners.contains(&b);
    let mut start = at;
    while start > floor && part(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = at + 1;
    while end < bytes.len() && part(bytes[end]) {
        end += 1;
    }
    (start, end)
}

/// A payment app's "$cashtag" ("$TundeO88", never "$100") or a Reddit user's "u/name".
fn tagged_handle_at(bytes: &[u8], sign: usize) -> Option<(usize, usize, Kind)> {
    let start = if bytes[sign] == b'/' { sign - 1 } else { sign };
    if start > 0 && bytes[start - 1].is_ascii_alphanumeric() || !bytes.get(sign + 1)?.is_ascii_alphabetic() {
        return None;
    }
    let mut end = sign + 1;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-')) {
        end += 1;
    }
    (end - sign >= 4).then_some((start, end, Kind::SocialHandle))
}

fn url_at(bytes: &[u8], i: usize) -> Option<(usize, usize, Kind)> {
    let rest = &bytes[i..];
    let scheme = [b"https://".as_slice(), b"http://", b"www."]
        .into_iter()
        .find(|p| rest.get(..p.len()).is_some_and(|r| r.eq_ignore_ascii_case(p)))?;
    let mut end = i + scheme.len();
    while end < bytes.len() && !bytes[end].is_ascii_whitespace() && !matches!(bytes[end], b'<' | b'>' | b'"') {
        end += 1;
    }
    let end = trim_end(bytes, i, end);
    (end > i + scheme.len() + 1).then_some((i, end, Kind::Url))
}

/// "portal.example.org/path" without a scheme: a word, a dot and a known top-level domain.
fn bare_domain_at(bytes: &[u8], dot: usize) -> Option<(usize, usize, Kind)> {
    let mut start = dot;
    while start > 0 && is_host(bytes[start - 1]) {
        start -= 1;
    }
    if start == dot || (start > 0 && matches!(bytes[start - 1], b'@' | b'/' | b':')) {
        return None;
    }
    let mut tld_end = dot + 1;
    while tld_end < bytes.len() && bytes[tld_end].is_ascii_alphabetic() {
        tld_end += 1;
    }
    let tld = &bytes[dot + 1..tld_end];
    if !TLDS.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(tld))
        || bytes.get(tld_end).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'@')
    {
        return None;
    }
    if !bytes[start..dot].iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut end = tld_end;
    if bytes.get(end) == Some(&b'/') {
        while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
            end += 1;
        }
    }
    Some((start, trim_end(bytes, start, end), Kind::Url))
}

/// An IPv6 address: hex groups and colons, at least two colons, and hex letters or "::" so that
/// times ("10:30:00") are not taken.
fn ipv6_at(bytes: &[u8], colon: usize) -> Option<(usize, usize, Kind)> {
    let is_part = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
    let mut start = colon;
    while start > 0 && is_part(bytes[start - 1]) {
        start -= 1;
    }
    if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut end = colon;
    while end < bytes.len() && is_part(bytes[end]) {
        end += 1;
    }
    let end = trim_end(bytes, start, end);
    if end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
        return None;
    }
    let part = &bytes[start..end];
    let colons = part.iter().filter(|&&b| b == b':').count();
    let groups_ok = part.split(|&b| b == b':').all(|g| g.len() <= 4 || g.contains(&b'.'));
    let hexy = part.iter().any(|b| b.is_ascii_alphabetic()) || part.windows(2).any(|w| w == b"::");
    (colons >= 2 && groups_ok && hexy && part.len() >= 6).then_some((start, end, Kind::Ip))
}

#[cfg(test)]
mod tests {
    use crate::detect::tests::{has, lacks, none};
    use crate::kind::Kind;

    #[test]
    fn emails_urls_handles_and_ipv6() {
        has("write to jane.doe+x@mail.example.com.", "jane.doe+x@mail.example.com", Kind::Email);
        has("Or email iggy dot bello at gmail. Thanks.", "iggy dot bello at gmail", Kind::Email);
        has("his daughter follows him as giuliab_nyc on Instagram.", "giuliab_nyc", Kind::SocialHandle);
        lacks("referring_provider=Dr. Aurelio Nunez; referring_org=Jackson", Kind::SocialHandle);
        has("games on Discord as rorythefox#4471. GSA", "rorythefox#4471", Kind::SocialHandle);
        has("lent $100 via Cash App ($TundeO88).", "$TundeO88", Kind::SocialHandle);
        has("Reddit user u/bensato_07 posts were", "u/bensato_07", Kind::SocialHandle);
        none("paid $100 and $45.50; see r/anxiety and menu/options");
        has("from her professor, dkaplan [at] nvcc [dot] edu, about", "dkaplan [at] nvcc [dot] edu", Kind::Email);
        has("write jsmith at riverside dot org", "jsmith at riverside dot org", Kind::Email);
        none("email me at gmail dot com, she was at school dot");
        has("see https://example.org/a?b=1).", "https://example.org/a?b=1", Kind::Url);
        has("at www.myblog.net", "www.myblog.net", Kind::Url);
        has("Founder\nlinktr.ee/littleacorndoulas · IG", "linktr.ee/littleacorndoulas", Kind::Url);
        has("posted on jdoe.substack.com/p/1 today", "jdoe.substack.com/p/1", Kind::Url);
        has("dm me @luna_k99!", "@luna_k99", Kind::SocialHandle);
        has("after he posted on X as lucian_the_last that night", "lucian_the_last", Kind::SocialHandle);
        has("He's on Discord all night as finchyboi.\nT: And", "finchyboi", Kind::SocialHandle);
        has("Group chat\nlior.bd: anyone else's parents read their texts", "lior.bd", Kind::Name);
        has("posts from an account, kendraw.xo, that her ex made", "kendraw.xo", Kind::SocialHandle);
        has("Her sister's account tayy.wallace shared one", "tayy.wallace", Kind::SocialHandle);
        has(
            "They post stuff about me on a fake page, diegofuentes.exposed.\n",
            "diegofuentes.exposed",
            Kind::SocialHandle,
        );
        lacks("account ending in 3309; her account at chase.com is closed", Kind::SocialHandle);
        none("Plan\ne.g.: more sleep");
        none("Signature: ________ Date: ____");
        has("posts from her Instagram skye.dances.09 and", "skye.dances.09", Kind::SocialHandle);
        has("made a TikTok account, sky3_is_fake, to mock her", "sky3_is_fake", Kind::SocialHandle);
        has("her Venmo is tamsin-blake-7; she paid", "tamsin-blake-7", Kind::SocialHandle);
        has("made a fake Instagram in her name, sunita.rao.real, and", "sunita.rao.real", Kind::SocialHandle);
        none("she showed me her Instagram posts from the trip");
        has("from 2001:db8::8a2e:370:7334 at", "2001:db8::8a2e:370:7334", Kind::Ip);
        has("fe80::1 logged", "fe80::1", Kind::Ip);
    }

    #[test]
    fn times_sentence_ends_and_at_signs_are_not_identifiers() {
        none("Session 10:30:00 to 11:20. Mood improved. Meet @ 3");
    }
}
