//! Text inside the SVG that [`super::chart`] and [`super::funnel`] write by hand: titles,
//! labels and ids come from data (instrument names, municipality names), so they are escaped
//! here, once, before they go into element content or a double-quoted attribute.

/// `text` escaped for SVG (XML) element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_and_the_rest_is_kept() {
        assert_eq!(
            escape(r#"<a href="x">Mölndal & Härryda</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Mölndal &amp; Härryda&lt;/a&gt;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("PHQ-9 'över tid'"), "PHQ-9 'över tid'");
    }
}
