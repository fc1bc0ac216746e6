/**
 * Password limits, shared on purpose by the server (domain/accounts.ts validates with them) and the browser
 * (the "Change password" form shows the same rule before sending).
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
