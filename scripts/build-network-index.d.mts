/** The network-owner index's directory (.build/network). */
export const NETWORK_INDEX_DIR: string;
/** Builds the index from the installed dataset unless it is current; resolves to its directory. */
export function buildNetworkIndex(): Promise<string>;
