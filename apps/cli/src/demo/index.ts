import type { Command } from 'commander';
import { validateConfig } from '@muskel/config';
import { openServiceStore } from '../open-store';
import { DEMO_VILLAGE, loadDemoVillage } from './demo-village';

export { DEMO_VILLAGE, loadDemoVillage, type DemoResult } from './demo-village';

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('a synthetic village for demonstrations');
  demo
    .command('load')
    .description(`load a synthetic village (${DEMO_VILLAGE}) with users, proposals, a meeting and a batch`)
    .action(async () => {
      const config = validateConfig(process.env);
      const store = await openServiceStore(config);
      try {
        const result = await loadDemoVillage(store, (step) => process.stderr.write(`demo: ${step}\n`));
        if (result.alreadyLoaded) {
          process.stdout.write('the demo village is already loaded; nothing changed\n');
          return;
        }
        for (const user of result.createdUsers) {
          process.stdout.write(`user ${user.username} (${user.role}) password: ${user.password}\n`);
        }
        if (result.createdUsers.length > 0) process.stdout.write('these passwords are shown once: note them now\n');
        process.stdout.write(`demo village ${DEMO_VILLAGE} loaded\n`);
      } finally {
        await store.close();
      }
    });
}
