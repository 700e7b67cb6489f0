import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "../db/prisma.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { authenticateWithPassword } from "./authenticate.ts";
import { clientAddress } from "./client-address.ts";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) throw new Error("Enter your email and password.");
        try {
          const user = await authenticateWithPassword(db(), credentials.email, credentials.password, clientAddress(req?.headers));
          return { id: user.id, email: user.email, name: user.name ?? user.email };
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
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) Object.assign(session.user, { id: token.sub, signedInAt: token.signedInAt });
      return session;
    },
  },
};
