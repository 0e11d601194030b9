import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSchema,
  DocumentBuilder,
  getSchemaPath,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { version } from '../../../package.json';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, statusTitle } from './problem';

/** Where the OpenAPI document and its UI are served (both public). */
export const OPENAPI_JSON_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** Name of the bearer (JWT) security scheme: `@ApiBearerAuth(BEARER_AUTH)` on protected controllers. */
export const BEARER_AUTH = 'bearer';

export const API_TITLE = 'Muskel API';
export const API_VERSION: string = version;

@ApiSchema({ name: 'FieldError', description: 'One bad input field.' })
export class FieldErrorSchema {
  @ApiProperty({
    description: 'Dotted path into the body or query; array items in brackets.',
    example: 'members[1].nik',
  })
  field!: string;

  @ApiProperty({ description: 'Stable UPPER_SNAKE code of the rule broken.', example: 'IS_NOT_EMPTY' })
  code!: string;

  @ApiProperty({ description: 'English sentence for a developer.', example: 'nik should not be empty' })
  message!: string;
}

@ApiSchema({
  name: 'Problem',
  description:
    'An error answer (RFC 9457 problem details), served as application/problem+json. Clients switch on `code`.',
})
export class ProblemSchema {
  @ApiProperty({ format: 'uri', example: `${PROBLEM_TYPE_BASE}validation-failed` })
  type!: string;

  @ApiProperty({ example: 'Unprocessable Entity' })
  title!: string;

  @ApiProperty({ example: 422 })
  status!: number;

  @ApiProperty({ description: 'Stable English UPPER_SNAKE identifier.', example: 'VALIDATION_FAILED' })
  code!: string;

  @ApiProperty({ example: 'The request has 2 invalid fields.' })
  detail!: string;

  @ApiProperty({ description: 'The request path.', example: '/proposals' })
  instance!: string;

  @ApiPropertyOptional({ type: () => [FieldErrorSchema], description: 'Every bad field (validation failures).' })
  errors?: FieldErrorSchema[];

  @ApiProperty({ description: 'Id of the request in the server logs (also `X-Request-Id`).', example: 'b7c2…' })
  requestId!: string;
}

/** An OpenAPI response object whose body is a `Problem`. */
interface ProblemResponseObject {
  description: string;
  content: Record<string, { schema: { $ref: string } }>;
}

function problemResponse(description: string): ProblemResponseObject {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemSchema) } } } };
}

/** Documents problem+json answers with the given statuses on a controller or handler. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemSchema, FieldErrorSchema),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(statusTitle(status)) })),
  );
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The OpenAPI 3 document, generated from the controllers' decorators: title, version from package.json, the
 * bearer scheme, the `Problem` schema, and a `default` problem+json response on every operation.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(API_TITLE)
    .setDescription(
      'Village deliberations on the social-welfare registry. Errors are application/problem+json (RFC 9457) ' +
        'with a stable `code`; validation errors name every bad field.',
    )
    .setVersion(API_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemSchema, FieldErrorSchema] });
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && !operation.responses.default) {
        operation.responses.default = problemResponse('An error (problem details).');
      }
    }
  }
  return document;
}

/** Serves the document at `GET /openapi.json` and Swagger UI at `GET /docs`. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: API_TITLE,
    swaggerOptions: { validatorUrl: null, persistAuthorization: false },
  });
  return document;
}
