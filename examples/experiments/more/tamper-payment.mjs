// A man in the middle for message.tamper: raises the amount of every payment answer, keeping the
// provider's signature, as a byzantine provider (or a compromised link) would.
export function tamper(message) {
  if (message.kind !== 'response') return message;
  let answer;
  try {
    answer = JSON.parse(message.body.toString());
  } catch {
    return message; // not JSON: passed on as it is
  }
  return { ...message, body: { ...answer, amount: (answer.amount ?? 0) * 100 } };
}
