// Networks of hosting and cloud providers: a session from one of them is a server, a VPN exit or a proxy, not a
// person's connection (MDI-style "hosting" marking; Panther's impossible-travel rule lowers such ASNs too).
//
// The list is ours, kept short and checkable: each entry is an autonomous system that its operator publishes as its
// own (AWS in ip-ranges.json, Google in cloud.json and goog.json, Microsoft in its Service Tags, Oracle, IBM, Alibaba
// and Tencent in their cloud documentation, the others on their network pages and in PeeringDB), with the owner's
// name as the network-owner dataset (RouteViews + DB-IP) gives it. Add an ASN here, not elsewhere.
export const HOSTING_ASNS: ReadonlyMap<number, string> = new Map([
  [16509, "Amazon Web Services"],
  [14618, "Amazon Web Services"],
  [8987, "Amazon Web Services (Ireland)"],
  [15169, "Google"],
  [396982, "Google Cloud"],
  [19527, "Google"],
  [8075, "Microsoft Azure"],
  [8068, "Microsoft"],
  [31898, "Oracle Cloud"],
  [36351, "IBM Cloud"],
  [45102, "Alibaba Cloud"],
  [37963, "Alibaba Cloud"],
  [132203, "Tencent Cloud"],
  [136907, "Huawei Cloud"],
  [55990, "Huawei Cloud"],
  [14061, "DigitalOcean"],
  [16276, "OVHcloud"],
  [35540, "OVHcloud"],
  [24940, "Hetzner"],
  [213230, "Hetzner"],
  [63949, "Akamai Connected Cloud (Linode)"],
  [20473, "Vultr (The Constant Company)"],
  [12876, "Scaleway"],
  [51167, "Contabo"],
  [40021, "Contabo"],
  [60781, "Leaseweb"],
  [16265, "Leaseweb"],
  [46606, "Unified Layer (Bluehost)"],
  [26496, "GoDaddy"],
  [29802, "Hivelocity"],
  [21859, "Zenlayer"],
  [9009, "M247"],
  [212238, "Datacamp (CDN77)"],
  [60068, "Datacamp (CDN77)"],
  [62240, "Clouvider"],
  [136787, "PacketHub"],
  [200651, "FlokiNET"],
  [13335, "Cloudflare"],
  [209242, "Cloudflare"],
  [54113, "Fastly"],
]);

export const isHostingAsn = (asn: number | null | undefined): boolean => asn != null && HOSTING_ASNS.has(asn);
