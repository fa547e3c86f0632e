import { SESSION_OUTCOMES, SESSION_TYPES } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import { completedMessage, nextStep, typicalWaitSentence } from './headline.ts';

describe('nextStep', () => {
  it('points at the chat that is already open below, naming the mechanic, for every session type', () => {
    for (const sessionType of SESSION_TYPES) {
      const text = nextStep({ sessionType, workshop: null, mechanicName: 'Priya Natarajan' });
      expect(text, sessionType).toContain('Priya Natarajan');
      expect(text, sessionType).toMatch(/chat/i);
      expect(text, sessionType).not.toMatch(/in a moment|will open/);
    }
  });
  it('says exactly where to chat for a chat session', () => {
    expect(nextStep({ sessionType: 'chat', workshop: null, mechanicName: 'Priya Natarajan' })).toBe(
      'Chat with Priya Natarajan below.',
    );
  });
});

describe('completedMessage', () => {
  it('hopes for a better car only when the problem was resolved', () => {
    for (const outcome of SESSION_OUTCOMES) {
      const text = completedMessage('Priya Natarajan', outcome);
      expect(text, outcome).toContain('Priya Natarajan');
      expect(text.includes('better shape'), outcome).toBe(outcome === 'resolved');
    }
    expect(completedMessage(null, null)).toBe(
      'Your session with your mechanic is finished. Thank you for using Mechanic on call.',
    );
  });
  it('tells a customer whose car needs a workshop, or who could not be helped, what it means', () => {
    expect(completedMessage('Priya Natarajan', 'needs_workshop')).toMatch(/needs a visit to a workshop/);
    expect(completedMessage('Priya Natarajan', 'could_not_help')).toMatch(/could not help/);
  });
});

describe('typicalWaitSentence', () => {
  it('says nothing when nobody is online or nothing is known', () => {
    expect(typicalWaitSentence({ lowSeconds: 0, highSeconds: 0 }, 0)).toBe('');
    expect(typicalWaitSentence({ lowSeconds: 120, highSeconds: 600 }, 0)).toBe('');
    expect(typicalWaitSentence(null, 3)).toBe('');
  });
  it('never prints a range of zeros or the same figure twice', () => {
    expect(typicalWaitSentence({ lowSeconds: 0, highSeconds: 0 }, 2)).toBe(
      'Requests like yours are usually taken in under a minute.',
    );
    expect(typicalWaitSentence({ lowSeconds: 10, highSeconds: 300 }, 2)).toBe(
      'Requests like yours are usually taken within about 5 min.',
    );
    expect(typicalWaitSentence({ lowSeconds: 170, highSeconds: 190 }, 2)).toBe(
      'Requests like yours are usually taken in about 3 min.',
    );
    expect(typicalWaitSentence({ lowSeconds: 120, highSeconds: 480 }, 2)).toBe(
      'Requests like yours are usually taken in about 2 min to 8 min.',
    );
  });
});
