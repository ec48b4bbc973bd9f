//! Accounts receivable by client: what each client owes, aged. A client's payments and
//! write-offs settle what they owed longest (first in, first out), so what is left is aged by
//! the day each remaining amount became theirs: the remittance's posting for a claim's share,
//! the session for self-pay. Credit balances are listed with nothing aged.

use std::collections::BTreeMap;

use domain::ClientId;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;

use super::{bucket, read};
use crate::{Actor, Haven, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientBalance {
    pub client: ClientId,
    pub name: String,
    pub buckets: [Cents; 5],
    /// Positive, owed to the practice; negative, a credit.
    pub balance: Cents,
}

/// What is left of `owed` (by day) once `credit` has settled the oldest first, by bucket.
fn aged(as_of: Date, owed: &mut [(Date, i64)], credit: i64) -> [Cents; 5] {
    owed.sort_by_key(|(day, _)| *day);
    let mut left = credit;
    let mut buckets = [Cents::ZERO; 5];
    for (day, amount) in owed.iter() {
        let settled = left.clamp(0, *amount);
        left -= settled;
        let at = bucket(as_of, *day);
        buckets[at] = Cents(buckets[at].0 + amount - settled);
    }
    buckets
}

impl Haven {
    /// Every client whose balance is not zero as of `as_of`, most owed first; each name is read
    /// after its own audit event.
    pub async fn client_balances(&self, actor: &Actor, as_of: Date) -> Result<Vec<ClientBalance>> {
        actor.may(Resource::Billing, Action::View)?;
        let practice = actor.practice();
        let zone = self.practice_zone(practice).await?;
        let accounts = self.store.client_accounts(practice).await?;
        let mut owed: BTreeMap<ClientId, Vec<(Date, i64)>> = BTreeMap::new();
        for (client, at, cents) in accounts.shares {
            owed.entry(client).or_default().push((at.to_zoned(zone.clone()).date(), cents));
        }
        for (client, day, cents) in accounts.self_pay {
            owed.entry(client).or_default().push((day, cents));
        }
        let mut credits: BTreeMap<ClientId, i64> = accounts.credits.into_iter().collect();
        let mut balances = Vec::new();
        for (client, mut items) in owed {
            let credit = credits.remove(&client).unwrap_or(0);
            let balance = items.iter().map(|(_, c)| c).sum::<i64>() - credit;
            if balance != 0 {
                balances.push((client, aged(as_of, &mut items, credit), balance));
            }
        }
        // Paid or refunded without ever owing: a credit (or a debt) with nothing to age.
        balances.extend(credits.into_iter().filter(|(_, c)| *c != 0).map(|(client, c)| {
            let mut buckets = [Cents::ZERO; 5];
            buckets[0] = Cents((-c).max(0));
            (client, buckets, -c)
        }));
        balances.sort_by_key(|(_, _, balance)| std::cmp::Reverse(*balance));
        self.audited_by(actor, read("billing.report_client_balances")).await?;
        let mut rows = Vec::with_capacity(balances.len());
        for (client, buckets, balance) in balances {
            let entry = read("billing.report_client_balance").categories(&["demographics"]);
            let Some(details) = self.client_opened_after(actor, client, entry).await? else {
                continue;
            };
            let name = format!("{} {}", details.given_name.expose(), details.family_name.expose());
            rows.push(ClientBalance { client, name, buckets, balance: Cents(balance) });
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn payments_settle_the_oldest_first() {
        let as_of = date(2026, 6, 30);
        let mut owed = vec![(date(2026, 6, 20), 3000), (date(2026, 2, 1), 5000), (date(2026, 5, 15), 2000)];
        let buckets = aged(as_of, &mut owed, 6000);
        assert_eq!(buckets, [Cents(3000), Cents(1000), Cents::ZERO, Cents::ZERO, Cents::ZERO]);
        let buckets = aged(as_of, &mut owed, 0);
        assert_eq!(buckets[4], Cents(5000));
        let buckets = aged(as_of, &mut owed, 20_000);
        assert_eq!(buckets, [Cents::ZERO; 5], "a credit leaves nothing owed");
    }
}
