//! Codes of the identity-provider kinds (`OIDCProvider`, `SAMLProvider`): what validation
//! rejects in their manifests, and what a plan leaves alone. Kept in their own table so the
//! kind's codes read together; [`super::all`] lists them with their stage.

use super::codes;

codes! { Validate, VALIDATE_PROVIDERS;
    INVALID_OIDC_URL = "invalid-oidc-url", Error,
        "an OIDC provider URL IAM rejects, or none given",
        "An OIDC provider is identified by its issuer URL: `https://` followed by a host and an \
         optional path, without query, fragment or trailing `/`, at most 255 characters. Fix: \
         give `url:`, or `github: true` for GitHub Actions' provider.";
    INVALID_CLIENT_ID = "invalid-client-id", Error,
        "an OIDC client id (audience) IAM rejects",
        "Client ids are 1–255 characters, and a provider holds at most 100. Fix: correct or \
         remove the client id.";
    INVALID_THUMBPRINT = "invalid-thumbprint", Error,
        "an OIDC thumbprint that is not 40 hex digits, or more than 5",
        "A thumbprint is the SHA-1 of the issuer's certificate, 40 hex digits; IAM keeps at most \
         5. Fix: correct it, or leave `thumbprints` out to let IAM manage them.";
    INVALID_SAML_PROVIDER_NAME = "invalid-saml-provider-name", Error,
        "a SAML provider name IAM rejects",
        "SAML provider names are 1–128 characters of letters, digits and `_+=,.@-`. Fix: rename \
         the provider in `metadata.name`.";
    INVALID_SAML_METADATA = "invalid-saml-metadata", Error,
        "the SAML metadata file cannot be read or its size is outside IAM's limits",
        "`metadataFile` is a path relative to the manifest file; IAM accepts a metadata document \
         of 1,000 to 10,000,000 characters of UTF-8 text. Fix: correct the path, or export the \
         metadata from the identity provider again.";
    DUPLICATE_PROVIDER = "duplicate-provider", Error,
        "an identity provider is declared more than once",
        "Two manifests declare the same OIDC provider URL or SAML provider name, so they would \
         fight over one provider. The related location shows the first declaration. Fix: keep \
         one declaration.";
}

codes! { Plan, PLAN_PROVIDER_CONFLICTS;
    UNOWNED_PROVIDER = "unowned-provider", Error,
        "the identity provider exists but does not carry rolesmith's ownership tag",
        "rolesmith changes only what it owns, so the provider is left untouched. Fix: to take it \
         over, add `adopt: true` to its manifest (the plan then adds the tag).";
    UNKNOWN_IDENTITY_PROVIDER = "unknown-identity-provider", Error,
        "a role trusts an OIDC or SAML provider that neither the manifests nor the account have",
        "IAM refuses a trust policy whose federated principal does not exist, so the role is \
         left alone rather than failing at apply time. Fix: declare the provider (`kind: \
         OIDCProvider` or `kind: SAMLProvider`), create it, or correct the ARN.";
    PROVIDER_IN_USE = "provider-in-use", Error,
        "an owned identity provider without a manifest is still trusted by a role",
        "Deleting the provider would lock out everyone who signs in through it. Fix: change the \
         trust of the roles named, or declare the provider again.";
}
