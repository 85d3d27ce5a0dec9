/**
 * A Slack incoming webhook on 127.0.0.1, as Slack answers one: `POST /services/T…/B…/<token>` with a JSON
 * body; 200 `ok`; 400 `invalid_payload` (not JSON), `no_text` (neither text nor blocks), `invalid_blocks`
 * (Block Kit limits broken: header over 150 characters, more than 10 fields, a field over 2000, a text
 * over 3000); 404 `no_service` for an unknown path. Records every request; can be scripted (hang, 500).
 */
import { type RecordingServer, startRecordingServer, text } from './recording-server.js';

export interface FakeSlack extends RecordingServer {
  /** the incoming webhook URL (a secret, as a real one is) */
  webhookUrl: string;
  /** the messages accepted, parsed */
  messages: SlackMessage[];
}

export interface SlackBlock {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text: string }[];
}

export interface SlackMessage {
  text?: string;
  blocks?: SlackBlock[];
}

function blocksProblem(blocks: unknown): string | null {
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks as SlackBlock[]) {
    if (!['header', 'section', 'context', 'divider', 'actions'].includes(block.type)) return 'invalid_blocks';
    if (block.type === 'header' && (block.text?.type !== 'plain_text' || (block.text?.text.length ?? 0) > 150)) return 'invalid_blocks';
    if (block.type === 'section') {
      if (!block.text && !block.fields) return 'invalid_blocks';
      if ((block.text?.text.length ?? 0) > 3000) return 'invalid_blocks';
      if (block.fields && (block.fields.length > 10 || block.fields.some((f) => f.text.length > 2000))) return 'invalid_blocks';
    }
  }
  return null;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const token = 'xFakeSlackToken8d7f6a5e4c3b2a19';
  const path = `/services/TFAKE0001/BFAKE0002/${token}`;
  const messages: SlackMessage[] = [];
  const server = await startRecordingServer((req) => {
    if (req.method !== 'POST' || req.path !== path) return text(404, 'no_service');
    let message: SlackMessage;
    try {
      message = JSON.parse(req.body) as SlackMessage;
    } catch {
      return text(400, 'invalid_payload');
    }
    if (!message.text && !message.blocks) return text(400, 'no_text');
    if (message.blocks) {
      const problem = blocksProblem(message.blocks);
      if (problem) return text(400, problem);
    }
    messages.push(message);
    return text(200, 'ok');
  });
  return Object.assign(server, { webhookUrl: `${server.url}${path}`, messages });
}
