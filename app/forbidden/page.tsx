import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto mt-24 max-w-md text-center">
      <h1 className="text-xl font-semibold">You do not have access to this page</h1>
      <p className="mt-2 text-slate-600">Your role does not allow it. Ask an admin if you need access.</p>
      <Link href="/identities" className="mt-4 inline-block text-sky-700 underline">
        Back to Identities
      </Link>
    </main>
  );
}
