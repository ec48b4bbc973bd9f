//! Files a clearinghouse sends back, written here from an 837P Haven sent — apart from Haven's
//! own X12 code.

/// The claim numbers (CLM01) and the group control number (GS06) of an 837P.
pub fn sent_claims(batch: &str) -> (String, Vec<String>) {
    let segments: Vec<&str> = batch.split('~').map(str::trim).collect();
    let group = segments.iter().find(|s| s.starts_with("GS*")).and_then(|s| s.split('*').nth(6)).unwrap_or_default();
    let claims = segments.iter().filter_map(|s| s.strip_prefix("CLM*")).filter_map(|s| s.split('*').next());
    (group.to_owned(), claims.map(str::to_owned).collect())
}

/// ISA, GS and ST around `body` (the segments after ST), as a clearinghouse sends them.
pub fn from_clearinghouse(functional: &str, set: &str, guide: &str, body: &[String]) -> String {
    let mut segments = vec![
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*HAVENSUBMIT    *261102*0900*^*00501*000000777*0*P*:"
            .to_owned(),
        format!("GS*{functional}*CLEARINGHOUSE*HAVENSUBMIT*20261102*0900*777*X*{guide}"),
        format!("ST*{set}*0001*{guide}"),
    ];
    segments.extend(body.iter().cloned());
    segments.push(format!("SE*{}*0001", body.len() + 2));
    segments.extend(["GE*1*777".to_owned(), "IEA*1*000000777".to_owned()]);
    segments.join("~\n") + "~\n"
}

/// A 999 taking the batch whole. Written here, apart from Haven's reader.
pub fn acknowledgement_999(batch: &str) -> String {
    let (group, _) = sent_claims(batch);
    let body = [
        format!("AK1*HC*{group}*005010X222A1"),
        "AK2*837*0001*005010X222A1".to_owned(),
        "IK5*A".to_owned(),
        "AK9*A*1*1*1".to_owned(),
    ];
    from_clearinghouse("FA", "999", "005010X231A1", &body)
}

/// A 277CA: the first claim rejected (an NPI the payer does not know), the others accepted
/// with a payer claim number each.
pub fn acknowledgement_277ca(batch: &str) -> String {
    let (_, claims) = sent_claims(batch);
    let mut body = vec![
        "BHT*0085*08*ACK0001*20261102*0900*TH".to_owned(),
        "HL*1**20*1".to_owned(),
        "NM1*PR*2*EXAMPLE CLEARINGHOUSE*****46*CLEARINGHOUSE".to_owned(),
        "TRN*1*ACK0001".to_owned(),
        "DTP*050*D8*20261101".to_owned(),
        "DTP*009*D8*20261102".to_owned(),
        "HL*2*1*21*1".to_owned(),
        "NM1*41*2*EXAMPLE PRACTICE*****46*HAVENSUBMIT".to_owned(),
        "TRN*2*BATCH1".to_owned(),
        "STC*A1:19:PR*20261102*WQ*100".to_owned(),
        "HL*3*2*19*1".to_owned(),
        "NM1*85*2*EXAMPLE PRACTICE*****XX*1234567893".to_owned(),
        "TRN*1*0".to_owned(),
        "STC*A1:19:85**WQ*100".to_owned(),
    ];
    for (n, claim) in claims.iter().enumerate() {
        body.push(format!("HL*{}*3*PT", n + 4));
        body.push("NM1*QC*1*CLIENT*ANY****MI*X1".to_owned());
        body.push(format!("TRN*2*{claim}"));
        if n == 0 {
            body.push("STC*A7:562:85*20261102*U*100".to_owned());
        } else {
            body.push("STC*A2:20*20261102*WQ*100".to_owned());
            body.push(format!("REF*1K*PAYER{n:06}"));
        }
        body.push("DTP*472*D8*20261015".to_owned());
    }
    from_clearinghouse("HN", "277", "005010X214", &body)
}

/// A claim as its 837P line sent it: number, charge, and each line's (procedure, charge, date,
/// line id).
pub type Sent = (String, i64, Vec<(String, i64, String, String)>);

/// An 835 answering every claim of `claims` (an 837P): each line allowed 80 %, the rest written
/// off (CO-45), a $20 copay on each claim's first line (PR-3); the first claim denied (CO-197,
/// remark M62). Written here, apart from Haven's own writer.
pub fn remittance(claims: &str, trace: &str) -> String {
    let segments: Vec<Vec<&str>> = claims.split('~').map(|s| s.trim().split('*').collect()).collect();
    let mut body: Vec<String> = Vec::new();
    let mut total = 0i64;
    let mut claim: Option<Sent> = None;
    let cents = |t: &str| -> i64 {
        let (d, c) = t.split_once('.').unwrap_or((t, "0"));
        d.parse::<i64>().unwrap_or(0) * 100 + format!("{c:0<2}")[..2].parse::<i64>().unwrap_or(0)
    };
    let finish = |claim: Option<Sent>, body: &mut Vec<String>, total: &mut i64| {
        let Some((number, charge, lines)) = claim else { return };
        let denied = number == "H0000001";
        let paid: i64 = if denied { 0 } else { lines.iter().map(|(_, c, ..)| c * 8 / 10 - 2000).sum() };
        let copay = if denied { 0 } else { 2000 * lines.len() as i64 };
        let status = if denied { "4" } else { "1" };
        let patient = if copay > 0 { money(copay) } else { String::new() };
        body.push(format!("CLP*{number}*{status}*{}*{}*{patient}*12*ICN{number}", money(charge), money(paid)));
        body.push("NM1*QC*1*DOE*JANE".into());
        for (code, line_charge, date, id) in lines {
            if denied {
                body.push(format!("SVC*{code}*{}*0**1", money(line_charge)));
                body.push(format!("DTM*472*{date}"));
                body.push(format!("CAS*CO*197*{}", money(line_charge)));
                body.push(format!("REF*6R*{id}"));
                body.push("LQ*HE*M62".into());
            } else {
                let allowed = line_charge * 8 / 10;
                body.push(format!("SVC*{code}*{}*{}**1", money(line_charge), money(allowed - 2000)));
                body.push(format!("DTM*472*{date}"));
                body.push(format!("CAS*CO*45*{}", money(line_charge - allowed)));
                body.push("CAS*PR*3*20".into());
                body.push(format!("REF*6R*{id}"));
            }
        }
        *total += paid;
    };
    for s in &segments {
        match s.first().copied() {
            Some("CLM") => {
                finish(claim.take(), &mut body, &mut total);
                claim = Some((s[1].to_owned(), cents(s[2]), Vec::new()));
            }
            Some("SV1") => {
                if let Some((_, _, lines)) = claim.as_mut() {
                    lines.push((s[1].to_owned(), cents(s[2]), String::new(), String::new()));
                }
            }
            Some("DTP") if s.get(1) == Some(&"472") => {
                if let Some(line) = claim.as_mut().and_then(|c| c.2.last_mut()) {
                    line.2 = s[3].to_owned();
                }
            }
            Some("REF") if s.get(1) == Some(&"6R") => {
                if let Some(line) = claim.as_mut().and_then(|c| c.2.last_mut()) {
                    line.3 = s[2].to_owned();
                }
            }
            _ => {}
        }
    }
    finish(claim.take(), &mut body, &mut total);
    payment_835(body, total, trace)
}

/// Dollars and cents as X12 writes them, with a sign when negative.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// An 835 taking back what `answer` (an 835 of [`remittance`]) paid on claim `number`, as a
/// payer does before paying its replacement or void: that claim payment again with CLP02 22
/// and every amount negated.
pub fn reversal(answer: &str, number: &str, trace: &str) -> String {
    let (mut body, mut total, mut inside) = (Vec::new(), 0i64, false);
    for segment in answer.split('~').map(str::trim).filter(|s| !s.is_empty()) {
        let mut e: Vec<String> = segment.split('*').map(str::to_owned).collect();
        match e[0].as_str() {
            "CLP" => inside = e[1] == number,
            "SE" => inside = false,
            _ => {}
        }
        if !inside {
            continue;
        }
        let amounts: &[usize] = match e[0].as_str() {
            "CLP" => &[3, 4, 5],
            "SVC" => &[2, 3],
            "CAS" => &[3, 6, 9],
            _ => &[],
        };
        for (_, value) in e.iter_mut().enumerate().filter(|(n, v)| amounts.contains(n) && !v.is_empty()) {
            *value = value.strip_prefix('-').map_or_else(|| format!("-{value}"), str::to_owned);
        }
        if e[0] == "CLP" {
            e[2] = "22".into();
            total = (e[4].parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64;
        }
        body.push(e.join("*"));
    }
    payment_835(body, total, trace)
}

/// An 835 from its claim payments (`body`), paying `total` under `trace`.
fn payment_835(body: Vec<String>, total: i64, trace: &str) -> String {
    let mut set = vec![
        "ST*835*0001".to_owned(),
        format!("BPR*I*{}*C*CHK************20261201", money(total)),
        format!("TRN*1*{trace}*1512345678"),
        "N1*PR*CIGNA".into(),
        "N3*1 PAYER WAY".into(),
        "N4*CHICAGO*IL*60601".into(),
        "PER*BL*PROVIDER SERVICES*TE*8005550199".into(),
        "N1*PE*THE PRACTICE*XX*1234567893".into(),
        "LX*1".into(),
    ];
    set.extend(body);
    set.push(format!("SE*{}*0001", set.len() + 1));
    let isa =
        "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261201*1200*^*00501*000000042*0*P*:";
    let mut all = vec![isa.to_owned(), "GS*HP*PAYER*PRACTICE*20261201*1200*42*X*005010X221A1".into()];
    all.extend(set);
    all.extend(["GE*1*42".to_owned(), "IEA*1*000000042".to_owned()]);
    all.join("~\n") + "~\n"
}

/// A second insurer's 835 for the claims of `claims` (an 837P of secondary claims): each line
/// paid `paid` cents, the rest adjusted for the first insurer's payment (OA-23), nothing left
/// to the client; processed as secondary (CLP02 2). Written here, apart from Haven's writer.
pub fn secondary_remittance(claims: &str, paid: i64, trace: &str) -> String {
    let (mut body, mut total) = (Vec::new(), 0i64);
    for segment in claims.split('~').map(str::trim) {
        let e: Vec<&str> = segment.split('*').collect();
        match e[0] {
            "CLM" => {
                let charge = e[2].parse::<f64>().map_or(0, |d| (d * 100.0).round() as i64);
                body.push(format!("CLP*{}*2*{}*{}*0*12*SEC{}", e[1], money(charge), money(paid), e[1]));
                body.push("NM1*QC*1*DOE*JANE".into());
                total += paid;
            }
            "SV1" => {
                let code = e[1].split(':').nth(1).unwrap_or_default();
                let charge = e[2].parse::<f64>().map_or(0, |d| (d * 100.0).round() as i64);
                body.push(format!("SVC*HC:{code}*{}*{}**1", money(charge), money(paid)));
                body.push(format!("CAS*OA*23*{}", money(charge - paid)));
            }
            "REF" if e.get(1) == Some(&"6R") => body.push(format!("REF*6R*{}", e[2])),
            _ => {}
        }
    }
    payment_835(body, total, trace)
}
