/**
 * An OpenTelemetry collector's OTLP/HTTP traces endpoint on 127.0.0.1: `POST /v1/traces` with the JSON
 * encoding of ExportTraceServiceRequest (what @opentelemetry/exporter-trace-otlp-http sends), answered
 * 200 `{}`; protobuf bodies are refused with 415 so a test notices a change of encoding. `spans()`
 * flattens what arrived: names, ids, parent ids, attributes and events as plain values.
 */
import { json, type RecordingServer, startRecordingServer } from './recording-server.js';

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}

interface KeyValue {
  key: string;
  value: AnyValue;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  events?: { name: string; timeUnixNano: string | number; attributes?: KeyValue[] }[];
  status?: { code?: number; message?: string };
}

interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, unknown>;
  events: { name: string; atMs: number; attributes: Record<string, unknown> }[];
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
}

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

/** OTLP/JSON ids are hex strings (the exporter's default); base64 is accepted too. */
function hexId(id: string | undefined): string | null {
  if (!id) return null;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

const nanosToMs = (n: string | number) => Number(BigInt(n) / 1_000_000n);

export interface FakeOtlp extends RecordingServer {
  /** what to set OTEL_EXPORTER_OTLP_ENDPOINT to */
  endpoint: string;
  spans(): ReceivedSpan[];
}

export async function startFakeOtlp(): Promise<FakeOtlp> {
  const requests: ExportRequest[] = [];
  const server = await startRecordingServer((req) => {
    if (req.method !== 'POST' || req.path !== '/v1/traces') return json(404, { code: 5, message: 'not found' });
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return json(415, { code: 3, message: 'only application/json here' });
    try {
      requests.push(JSON.parse(req.body) as ExportRequest);
    } catch {
      return json(400, { code: 3, message: 'bad JSON' });
    }
    return json(200, {});
  });
  return Object.assign(server, {
    endpoint: server.url,
    spans: () =>
      requests.flatMap((r) =>
        (r.resourceSpans ?? []).flatMap((rs) =>
          (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map(
              (s): ReceivedSpan => ({
                traceId: hexId(s.traceId) ?? '',
                spanId: hexId(s.spanId) ?? '',
                parentSpanId: hexId(s.parentSpanId),
                name: s.name,
                startMs: nanosToMs(s.startTimeUnixNano),
                endMs: nanosToMs(s.endTimeUnixNano),
                attributes: attributes(s.attributes),
                events: (s.events ?? []).map((e) => ({
                  name: e.name,
                  atMs: nanosToMs(e.timeUnixNano),
                  attributes: attributes(e.attributes),
                })),
                status: { code: s.status?.code ?? 0, message: s.status?.message },
                resource: attributes(rs.resource?.attributes),
              }),
            ),
          ),
        ),
      ),
  });
}
