/**
 * The errors the core raises for its callers to act on. Each names what went wrong in the
 * domain, with the stable code of the control API's error body (shared/api/contract.ts);
 * none knows a transport. The adapters map them: control/http-api.ts to HTTP statuses,
 * main/electron/ipc-guard.ts to the IPC error shape.
 */
import type { ApiError, PolicyProblem } from '../../shared/api/contract.ts';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
  readonly problems: PolicyProblem[] | undefined;
  constructor(message: string, problems?: PolicyProblem[]) {
    super(message);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** The call was already decided, withdrawn or timed out (or never existed). */
export class NotPending extends DomainError {
  readonly code = 'not_pending';
}

/** Arguments a person edited do not fit the tool's input schema. */
export class InvalidArguments extends DomainError {
  readonly code = 'invalid_arguments';
}

/** A policy text that does not load; `problems` locate each error in it. */
export class InvalidPolicy extends DomainError {
  readonly code = 'invalid_policy';
}

/** Input that does not fit the method's schema. */
export class InvalidInput extends DomainError {
  readonly code = 'invalid_input';
}

/** A request body that is not JSON at all. */
export class InvalidJson extends DomainError {
  readonly code = 'invalid_json';
}

/** No such history entry, grant, ... */
export class NotFound extends DomainError {
  readonly code = 'not_found';
}

/** A tool whose definition has not changed, so there is nothing to accept. */
export class NothingToAccept extends DomainError {
  readonly code = 'not_changed';
}

/** A sign-in to a remote server could not start (discovery, registration, an insecure URL). */
export class SignInFailed extends DomainError {
  readonly code = 'sign_in_failed';
}

/** A method name the control API does not have. */
export class UnknownMethod extends DomainError {
  readonly code = 'unknown_method';
}

export type DomainErrorCode = 'not_pending' | 'invalid_arguments' | 'invalid_policy' | 'invalid_input' | 'invalid_json' | 'not_found' | 'not_changed' | 'unknown_method' | 'sign_in_failed';

/** The control API's error body for a domain error (the same over HTTP and IPC). */
export function errorBody(error: DomainError): ApiError {
  return { error: error.code, message: error.message, ...(error.problems && { problems: error.problems }) };
}
