//! Signing in and out, and the account page: roles, password and API access tokens.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of signing in and the account page, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct AuthTexts {
    // Signing in and out.
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub login_busy: &'static str,

    // The account page.
    pub account_title: &'static str,
    pub your_roles: &'static str,
    pub no_roles: &'static str,

    // Changing the password.
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub password_changed: &'static str,
    pub passwords_differ: &'static str,
    pub wrong_current_password: &'static str,

    // Other sessions.
    pub sessions: &'static str,
    pub sessions_intro: &'static str,
    pub end_other_sessions: &'static str,
    pub other_sessions_ended: &'static str,

    // API access tokens.
    pub tokens: &'static str,
    pub tokens_intro: &'static str,
    pub token_label: &'static str,
    pub token_days: &'static str,
    pub token_password: &'static str,
    pub create_token: &'static str,
    pub token_created: &'static str,
    pub expires: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub no_tokens: &'static str,
}

/// Swedish, the default.
pub(super) const SV: AuthTexts = AuthTexts {
    // Signing in and out.
    log_in: "Logga in",
    log_out: "Logga ut",
    login_title: "Logga in",
    login_intro: "Logga in med din e-postadress och ditt lösenord.",
    password: "Lösenord",
    login_failed: "Fel e-postadress eller lösenord.",
    login_throttled: "För många misslyckade försök. Vänta en stund och försök igen.",
    login_busy: "Just nu loggar många in samtidigt. Vänta några sekunder och försök igen.",

    // The account page.
    account_title: "Mitt konto",
    your_roles: "Dina roller",
    no_roles: "Du har inga roller ännu. Be en administratör om behörighet.",

    // Changing the password.
    change_password: "Byt lösenord",
    current_password: "Nuvarande lösenord",
    new_password: "Nytt lösenord (minst 12 tecken)",
    confirm_password: "Upprepa det nya lösenordet",
    password_changed: "Lösenordet är bytt. Alla dina åtkomsttoken är återkallade och dina andra inloggningar är avslutade.",
    passwords_differ: "De två nya lösenorden är inte lika.",
    wrong_current_password: "Det nuvarande lösenordet stämmer inte.",

    // Other sessions.
    sessions: "Inloggningar",
    sessions_intro: "Är du inloggad på en annan dator eller i en annan webbläsare, till exempel en som du glömt att logga ut från? Logga ut överallt utom här.",
    end_other_sessions: "Logga ut från andra enheter",
    other_sessions_ended: "Du är utloggad från alla andra enheter och webbläsare. Den här inloggningen gäller fortfarande.",

    // API access tokens.
    tokens: "Åtkomsttoken för API:t",
    tokens_intro: "Ett token låter ett program använda API:t i ditt namn. Skicka det som Authorization: Bearer.",
    token_label: "Benämning",
    token_days: "Giltigt antal dagar (1–365)",
    token_password: "Ditt lösenord (för att bekräfta att det är du)",
    create_token: "Skapa token",
    token_created: "Kopiera ditt token nu — det visas bara en gång:",
    expires: "Upphör",
    revoked: "Återkallat",
    revoke: "Återkalla",
    no_tokens: "Du har inga token.",
};

/// English.
pub(super) const EN: AuthTexts = AuthTexts {
    // Signing in and out.
    log_in: "Sign in",
    log_out: "Sign out",
    login_title: "Sign in",
    login_intro: "Sign in with your e-mail address and password.",
    password: "Password",
    login_failed: "Wrong e-mail address or password.",
    login_throttled: "Too many failed attempts. Wait a while and try again.",
    login_busy: "Many people are signing in right now. Wait a few seconds and try again.",

    // The account page.
    account_title: "My account",
    your_roles: "Your roles",
    no_roles: "You hold no roles yet. Ask an administrator for access.",

    // Changing the password.
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password (at least 12 characters)",
    confirm_password: "Repeat the new password",
    password_changed: "Your password is changed. All your access tokens are revoked and your other sessions are signed out.",
    passwords_differ: "The two new passwords differ.",
    wrong_current_password: "The current password is wrong.",

    // Other sessions.
    sessions: "Sessions",
    sessions_intro: "Signed in on another computer or in another browser, perhaps one you forgot to sign out of? Sign out everywhere but here.",
    end_other_sessions: "Sign out of other devices",
    other_sessions_ended: "You are signed out of every other device and browser. This session stays signed in.",

    // API access tokens.
    tokens: "API access tokens",
    tokens_intro: "A token lets a program use the API in your name. Send it as Authorization: Bearer.",
    token_label: "Label",
    token_days: "Valid for days (1–365)",
    token_password: "Your password (to confirm it is you)",
    create_token: "Create token",
    token_created: "Copy your token now — it is shown only once:",
    expires: "Expires",
    revoked: "Revoked",
    revoke: "Revoke",
    no_tokens: "You have no tokens.",
};
