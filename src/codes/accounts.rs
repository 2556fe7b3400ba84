//! Codes of the account inventory's placing of manifests: `accounts:` and account variables.

use super::codes;

codes! { Validate, ACCOUNT_CODES;
    ACCOUNTS_WITHOUT_INVENTORY = "accounts-without-inventory", Error,
        "a manifest says `accounts:` but there is no account inventory",
        "`accounts:` places a manifest in accounts of the inventory, which `[accounts]` in \
         rolesmith.toml defines; without one the set manages the credentials' account only. Fix: \
         add an `[accounts]` table (a list, a file or `source = \"organizations\"`), or remove \
         `accounts:`.";
    INVALID_ACCOUNT_SELECTOR = "invalid-account-selector", Error,
        "an `accounts:` item is not an account selector",
        "A selector is an account name, a 12-digit id, `ou:/PATH` (a glob over the OU path, `*` \
         one level, `**` any), `tag:KEY=VALUE`, or `*`. Fix: write the item in one of these forms.";
    UNKNOWN_ACCOUNT = "unknown-account", Error,
        "an `accounts:` item names an account the inventory does not have",
        "A name or id that matches no account would silently place the manifest nowhere. The help \
         line suggests the closest name. Fix: correct it (`rolesmith accounts` lists the \
         inventory), or add the account to the inventory.";
    UNKNOWN_VARIABLE = "unknown-variable", Error,
        "`${account.…}` or `${var.…}` that is not an account variable, or one used without an inventory",
        "Account variables are `${account.name}`, `${account.id}`, `${account.ou}`, \
         `${account.tags.KEY}` and `${var.NAME}`, and take their values from the account \
         inventory. Fix: correct the variable, or add `[accounts]` to rolesmith.toml.";
    MISSING_VARIABLE = "missing-variable", Error,
        "an account variable has no value in one of the accounts the manifest lands in",
        "The message names the account. Fix: set the value (`[accounts.vars.ACCOUNT]` in \
         rolesmith.toml, the list entry's `vars`, or the account's tag), or leave the manifest \
         out of that account with `accounts: {exclude: [...]}`.";
    INVALID_OVERRIDE = "invalid-override", Error,
        "an `overrides:` item does not fit the manifest's spec",
        "An override holds fields of `spec` for the accounts it selects, merged over `spec` (a map \
         merges key by key; a list or a string replaces the value). The message says what the \
         merged spec lacks or has too much. Fix: use the spec's own field names and shapes.";
}
