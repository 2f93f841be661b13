// Paired files: `name.poml` reads `name.context.json` and `name.stylesheet.json` beside it.
import * as vscode from 'vscode';

export type ResourceKind = 'context' | 'stylesheet';

export function pairedUri(prompt: vscode.Uri, kind: ResourceKind): vscode.Uri {
  const stem = prompt.path.replace(/\.poml$/i, '');
  return prompt.with({ path: `${stem}.${kind}.json` });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Creates the paired file with `{}` unless it exists, then opens it beside the prompt. */
export async function addResource(prompt: vscode.Uri, kind: ResourceKind): Promise<vscode.Uri> {
  const target = pairedUri(prompt, kind);
  if (!(await exists(target))) {
    await vscode.workspace.fs.writeFile(target, Buffer.from('{}\n', 'utf8'));
  }
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.Beside);
  return target;
}

/** Deletes the paired file (to the trash) after the user confirms; false when nothing was removed. */
export async function removeResource(prompt: vscode.Uri, kind: ResourceKind): Promise<boolean> {
  const target = pairedUri(prompt, kind);
  if (!(await exists(target))) {
    void vscode.window.showInformationMessage(`POML: ${vscode.workspace.asRelativePath(target)} does not exist.`);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(
    `Delete ${vscode.workspace.asRelativePath(target)}?`,
    { modal: true },
    'Delete',
  );
  if (choice !== 'Delete') {
    return false;
  }
  await vscode.workspace.fs.delete(target, { useTrash: true });
  return true;
}
