// Shapes of the custom requests the Python server answers (poml/lsp).

export const PREVIEW_REQUEST = 'poml/preview';
export const EVALUATE_COMMAND = 'poml.evaluateExpression';

export interface PreviewParams {
  uri: string;
  context: Record<string, unknown> | null;
  chat: boolean;
}

export interface PreviewMessage {
  speaker: string;
  content: unknown; // a string, or a list of content parts (text / images)
  tokens: number;
}

export interface PreviewSection {
  name?: string;
  tokens?: number;
  [key: string]: unknown;
}

export interface PreviewResponse {
  messages: PreviewMessage[];
  totalTokens: number;
  sections: PreviewSection[];
  error: string | null;
  version?: number | null; // the document version rendered: the newest when the request was answered
}
