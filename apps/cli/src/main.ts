import { Command, InvalidArgumentError } from 'commander';
import { ConfigValidationError, validateConfig } from '@muskel/config';
import { registerAuditCommands } from './audit/audit-commands';
import { CliError, createAdmin } from './create-admin';
import { registerDemoCommands } from './demo';
import { registerProjectionCommands } from './projection-commands';
import { registerRegistryCommands } from './registry-commands';
import { registerReferenceListCommands } from './reference-lists-commands';
import { readPassword } from './read-password';

/**
 * Operator commands (`npm run cli -- <command>`). Exit codes: 0 done, 1 refused or failed, 2 wrong usage.
 * On the embedded store, stop the service first: PGlite opens its data directory in one process at a time.
 */
const program = new Command('muskel').description('Muskel operator commands').exitOverride((error) => {
  process.exit(error.exitCode === 0 ? 0 : 2);
});

const users = program.command('users').description('users and administrators');

users
  .command('create-admin')
  .description('create the first administrator (ADMIN, NATIONAL) on a store without users')
  .requiredOption('--username <username>', 'login name: lowercase letters, digits, ".", "_", "-"')
  .requiredOption('--display-name <name>', 'name shown in the application')
  .option('--password-stdin', 'read the password from standard input instead of asking for it')
  .action(async (options: { username: string; displayName: string; passwordStdin?: boolean }) => {
    const config = validateConfig(process.env);
    const password = await readPassword(Boolean(options.passwordStdin));
    const { userId } = await createAdmin(config, {
      username: options.username,
      displayName: options.displayName,
      password,
    });
    process.stdout.write(
      `administrator ${options.username} created (user id ${userId}); sign in with POST /auth/login\n`,
    );
  });

registerRegistryCommands(program);
registerReferenceListCommands(program);
registerProjectionCommands(program);
registerDemoCommands(program);
registerAuditCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    process.stderr.write(`muskel: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof CliError || error instanceof InvalidArgumentError) {
    process.stderr.write(`muskel: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 2);
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  // Domain and API errors carry a stable code and a plain message (weak password, bad username...).
  process.stderr.write(`muskel: ${typeof code === 'string' ? `${code}: ` : ''}${String(message ?? error)}\n`);
  process.exit(1);
});
