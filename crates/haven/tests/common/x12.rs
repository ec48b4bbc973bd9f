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
