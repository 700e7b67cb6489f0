import { z } from "zod";

/** Vendors as stored (the Prisma enum) and as the API and UI name them. */
export const VENDORS = ["microsoft", "f5", "checkpoint", "cisco_asa", "other"] as const;
export type VendorId = (typeof VENDORS)[number];
export const API_VENDORS = ["microsoft", "f5", "checkpoint", "cisco-asa", "other"] as const;
export type ApiVendor = (typeof API_VENDORS)[number];

export const VENDOR_LABELS: Record<VendorId, string> = {
  microsoft: "Microsoft",
  f5: "F5",
  checkpoint: "Check Point",
  cisco_asa: "Cisco ASA",
  other: "Other",
};

export const toApiVendor = (v: VendorId): ApiVendor => (v === "cisco_asa" ? "cisco-asa" : v);
export const fromApiVendor = (v: ApiVendor): VendorId => (v === "cisco-asa" ? "cisco_asa" : v);

export const ApiVendorSchema = z
  .enum(API_VENDORS, { error: "Vendor must be microsoft, f5, checkpoint, cisco-asa or other." })
  .transform(fromApiVendor);
