/** Account forms and bodies: sign-up, login, login link, reset. Shared by pages and tests. */
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../services/passwords.js';

export const EmailField = z
  .string({ error: 'Enter your e-mail address.' })
  .trim()
  .max(254, 'An e-mail address has at most 254 characters.')
  .pipe(z.email({ error: 'Enter an e-mail address like name@example.com.' }));

export const PasswordField = z
  .string({ error: 'Enter a password.' })
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters.`);

export const SignUpForm = z.object({ email: EmailField, password: PasswordField });
export const LoginForm = z.object({
  email: EmailField,
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(MAX_PASSWORD_LENGTH),
  next: z.string().max(2000).optional(),
});
export const EmailOnlyForm = z.object({ email: EmailField });
export const TokenForm = z.object({ token: z.string({ error: 'This link is incomplete.' }).min(1).max(200) });
export const ResetForm = z.object({ token: z.string().min(1).max(200), password: PasswordField });
