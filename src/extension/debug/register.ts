// Debug-session integration: recorder injection into node launch/attach configurations,
// snapshots at breakpoint stops, snapshot points, and the "how did I get here" timeline.
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { BreakpointSnapshots } from './breakpoint-snapshot';
import { registerConfigurationProviders } from './config-provider';
import { HowDidIGetHere } from './how-did-i-get-here';
import { RecordedSessions } from './recorded-sessions';
import { SnapshotPoints } from './snapshot-points';

export function registerDebugIntegration(services: ExtensionServices): vscode.Disposable {
  const providers = registerConfigurationProviders(services);
  const sessions = new RecordedSessions(services);
  const breakpoints = new BreakpointSnapshots(services, (session) => sessions.probeOf(session));
  const panel = new HowDidIGetHere(services, breakpoints.onDidCapture);
  const points = new SnapshotPoints(services, () => sessions.probing);
  const debugged = sessions.onDidChangeDebugged(({ pid, debugged }) => points.markDebugged(pid, debugged));
  return vscode.Disposable.from(providers, breakpoints, panel, sessions, points, debugged);
}
