import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { readEnv } from "../config/env.ts";
import { db } from "../db/prisma.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { authenticateWithPassword } from "./authenticate.ts";
import { cameOverHttps, clientAddress } from "./client-address.ts";
import { endSession, startSession } from "./sessions.ts";

export const authOptions: NextAuthOptions = {
  // The cookie lives as long as a session may (SESSION_MAX_HOURS); the server decides sooner (lib/auth/sessions.ts).
  session: { strategy: "jwt", maxAge: readEnv().SESSION_MAX_HOURS * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password.");
        try {
          const sourceIp = clientAddress(req?.headers);
          const user = await authenticateWithPassword(db(), credentials.email, credentials.password, sourceIp);
          const sessionId = await startSession(db(), user.id, sourceIp);
          return { id: user.id, email: user.email, name: user.name ?? user.email, sessionId };
        } catch (err) {
          // next-auth hands an Error's message to the sign-in form: only messages meant for users.
          if (err instanceof AppError) throw new Error(err.message);
          if (isDatabaseUnavailable(err)) throw new Error(DATABASE_UNAVAILABLE);
          log.error({ err }, "sign-in failed");
          throw new Error("Sign-in failed because of a server error; the portal's log has the details.");
        }
      },
    }),
  ],
  callbacks: {
    // Only the user id goes into the JWT; the role is read from the database on every request.
    jwt({ token, user }) {
      // signedInAt stays with the token when next-auth re-issues it (iat does not): a password
      // change ends the sessions signed in before it (lib/auth/principal.ts).
      if (user) {
        token.sub = user.id;
        token.signedInAt = Date.now();
        // The server-side session row (lib/auth/sessions.ts): lifetime, idle timeout, sign-out.
        token.sid = (user as { sessionId?: string }).sessionId;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) Object.assign(session.user, { id: token.sub, signedInAt: token.signedInAt, sid: token.sid });
      return session;
    },
  },
  events: {
    // Signing out ends the session on the server: a copied cookie stops working too.
    async signOut({ token }) {
      await endSession(db(), (token as { sid?: string } | null)?.sid).catch((err) =>
        log.error({ err }, "could not end a session"),
      );
    },
  },
};

type Headerish = Parameters<typeof cameOverHttps>[0];

/**
 * The options for one request: cookies are Secure (and get next-auth's __Secure-/__Host- names) when the portal's
 * public URL is https or this request came over HTTPS through a trusted proxy. Writing and reading a session use the
 * same decision, so they agree on the cookie's name.
 */
export function authOptionsFor(headers: Headerish): NextAuthOptions {
  const publicUrlIsHttps = readEnv().NEXTAUTH_URL?.startsWith("https://") ?? false;
  return { ...authOptions, useSecureCookies: publicUrlIsHttps || cameOverHttps(headers) };
}
