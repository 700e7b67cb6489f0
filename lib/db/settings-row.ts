/** The settings tables (VpnSettings, AlertForwarding) each hold one row, with this id. */
export const SETTINGS_ROW_ID = 1;
