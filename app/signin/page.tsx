import { SignInForm } from "./sign-in-form";

export const metadata = { title: "Sign in · VPN Sight" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { passwordChanged } = await searchParams;
  return (
    <main className="mx-auto mt-24 max-w-sm px-4">
      <h1 className="mb-1 text-2xl font-semibold">VPN Sight</h1>
      <p className="mb-6 text-sm text-slate-600">Sign in to the security console.</p>
      {passwordChanged && (
        <p role="status" className="mb-4 text-sm text-green-700">
          Password changed. Sign in with the new one.
        </p>
      )}
      <SignInForm />
    </main>
  );
}
