//! The rules for single values, one function per kind of field, named on the fields with
//! `#[serde(deserialize_with = "field::…")]`. Each reads the JSON value as it is and says in
//! words what it should have been, so the messages are ours rather than serde's.

use super::Ore;
use chrono::NaiveDate;
use serde::de::{Deserialize, Deserializer, Error};
use serde_json::Value;

/// Text that is not blank. A type of its own so that, in a list, serde's path names the
/// entry that is blank.
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if !s.trim().is_empty() => Ok(Self(s)),
            Value::String(_) => Err(D::Error::custom("must not be empty")),
            _ => Err(D::Error::custom("must be text")),
        }
    }
}

/// A whole, non-negative number of öre that fits in an [`Ore`].
struct Amount(Ore);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Value::Number(n) = Value::deserialize(d)? else {
            return Err(D::Error::custom("must be a whole number of öre"));
        };
        match n.as_i64() {
            Some(v) if v < 0 => Err(D::Error::custom(format!(
                "{v} is negative; amounts are 0 or more"
            ))),
            Some(v) => Ok(Self(Ore(v))),
            None if n.is_u64() => Err(D::Error::custom(format!(
                "{n} öre is more than Evident can hold"
            ))),
            None => Err(D::Error::custom(format!(
                "{n} has decimals; amounts are whole öre"
            ))),
        }
    }
}

/// A calendar date written YYYY-MM-DD.
struct Day(NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Text(raw) = Text::deserialize(d)?;
        NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| D::Error::custom(format!("'{raw}' is not a date (YYYY-MM-DD)")))
    }
}

/// Required text.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(|t| t.0)
}

/// Optional text: absent or `null` is `None`, blank is refused.
pub fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Text>::deserialize(d).map(|t| t.map(|t| t.0))
}

/// A list of texts, none blank.
pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Vec::<Text>::deserialize(d).map(|ts| ts.into_iter().map(|t| t.0).collect())
}

/// A required amount.
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Ore, D::Error> {
    Amount::deserialize(d).map(|a| a.0)
}

/// An amount that may be `null` (and, with `#[serde(default)]`, absent).
pub fn optional_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ore>, D::Error> {
    Option::<Amount>::deserialize(d).map(|a| a.map(|a| a.0))
}

/// A required date.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    Day::deserialize(d).map(|d| d.0)
}

/// A date that may be `null` or absent.
pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<Day>::deserialize(d).map(|d| d.map(|d| d.0))
}

/// A year such as 2011, within reason.
pub fn year<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    match Value::deserialize(d)?.as_i64() {
        Some(y @ 1900..=2200) => Ok(i32::try_from(y).expect("within 1900..=2200")),
        _ => Err(D::Error::custom("must be a year such as 2011")),
    }
}

/// `true` or `false`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Value::deserialize(d)?
        .as_bool()
        .ok_or_else(|| D::Error::custom("must be true or false"))
}

/// An optional list: absent or `null` is empty.
pub fn optional_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d).map(Option::unwrap_or_default)
}
