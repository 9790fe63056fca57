import type { ScaffolderAction } from './action.js';

/** The actions templates may call, by id. Two actions with one id are refused, naming the id. */
export class ActionRegistry {
  private readonly actions = new Map<string, ScaffolderAction>();

  constructor(actions: readonly ScaffolderAction[] = []) {
    for (const action of actions) this.register(action);
  }

  register(action: ScaffolderAction): void {
    if (this.actions.has(action.id)) throw new Error(`two scaffolder actions claim the id ${action.id}`);
    this.actions.set(action.id, action);
  }

  get(id: string): ScaffolderAction | undefined {
    return this.actions.get(id);
  }

  ids(): string[] {
    return [...this.actions.keys()].sort();
  }
}
