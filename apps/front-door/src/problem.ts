import type { FastifyReply } from 'fastify';
import { PROBLEM_BASE, type FieldError } from '@kkb/platform';

/** An RFC 9457 problem, the same shape (and type URIs) the services answer with. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
  errors?: FieldError[],
) {
  return reply
    .code(status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send({
      type: PROBLEM_BASE + title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      title,
      status,
      detail,
      instance: reply.request.url.split('?', 1)[0],
      ...(errors ? { errors } : {}),
    });
}
